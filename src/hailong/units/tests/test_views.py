"""The unit directory screens: scope, roles, changes through the audited services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.models import AuditEntry
from hailong.kiosks.models import Kiosk
from hailong.units.models import Desk, Service, Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Unit]:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    a = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root)
    b = Unit.objects.create(code="16000", name="Xã Đông Sơn", kind=UnitKind.COMMUNE, parent=root)
    return {"root": root, "a": a, "b": b}


def client_for(role: str, unit: Unit | None) -> Client:
    user = User.objects.create_user(f"{role}-{unit.code if unit else 'all'}", password="x" * 16)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client


def test_the_tree_searches_without_accents_and_shows_only_the_scope(
    tree: dict[str, Unit],
) -> None:
    coordinator = client_for(Role.COORDINATOR, None)
    page = coordinator.get("/can-bo/don-vi/", {"q": "dong son"}).content.decode()
    assert "Xã Đông Sơn" in page and "Phường Hạc Thành" not in page
    manager = client_for(Role.UNIT_MANAGER, tree["a"])
    page = manager.get("/can-bo/don-vi/").content.decode()
    assert "Phường Hạc Thành" in page and "Xã Đông Sơn" not in page
    assert manager.get("/can-bo/don-vi/16000/").status_code == 404
    assert manager.get("/can-bo/don-vi/14797/").status_code == 200
    assert manager.get("/can-bo/don-vi/14797/sua/").status_code == 403


def test_a_coordinator_merges_two_units_from_the_screen(tree: dict[str, Unit]) -> None:
    coordinator = client_for(Role.COORDINATOR, None)
    response = coordinator.post(
        "/can-bo/don-vi/hop-nhat/",
        {"units": "14797, 16000", "valid_from": "2025-07-01", "into": "",
         "new_code": "99999", "new_name": "Phường Mới", "new_kind": "ward", "reason": "NQ 1686"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/can-bo/don-vi/99999/"
    assert Unit.objects.get(code="14797").valid_to == dt.date(2025, 6, 30)
    page = coordinator.get("/can-bo/don-vi/14797/").content.decode()
    assert "Phường Mới" in page  # continued by
    bad = coordinator.post(
        "/can-bo/don-vi/hop-nhat/",
        {"units": "NOPE, 99999", "valid_from": "2025-08-01", "into": "38", "reason": "x"},
    )
    assert "NOPE" in bad.content.decode()
    assert AuditEntry.objects.filter(action="unit.merge").count() == 1


def test_a_split_and_an_edit_from_the_screen(tree: dict[str, Unit]) -> None:
    coordinator = client_for(Role.COORDINATOR, None)
    response = coordinator.post(
        "/can-bo/don-vi/16000/chia-tach/",
        {"valid_from": "2025-07-01", "parts": "S1; Xã Một; commune\nS2; Xã Hai; commune",
         "reason": "NQ"},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(Unit.objects.filter(parent=tree["root"], valid_from="2025-07-01").values_list(
        "code", flat=True)) == {"S1", "S2"}  # fmt: skip
    bad = coordinator.post(
        "/can-bo/don-vi/S1/chia-tach/",
        {"valid_from": "2025-09-01", "parts": "S3; Xã Ba; village", "reason": "NQ"},
    )
    assert "line 1" in bad.content.decode()
    response = coordinator.post(
        "/can-bo/don-vi/S1/sua/",
        {"name": "Xã Một Mới", "kind": "commune", "parent": tree["root"].pk},
    )
    assert response.status_code == 302 and Unit.objects.get(code="S1").name == "Xã Một Mới"


def test_a_unit_manager_keeps_desks_and_kiosks_of_their_unit_only(tree: dict[str, Unit]) -> None:
    manager = client_for(Role.UNIT_MANAGER, tree["a"])
    manager.post("/can-bo/don-vi/14797/quay/", {"code": "quay-1", "name": "Quầy 1"})
    desk = Desk.objects.get(unit=tree["a"], code="quay-1")
    manager.post(f"/can-bo/don-vi/14797/quay/{desk.pk}/", {"active": "0"})
    assert not Desk.objects.get(pk=desk.pk).active
    again = manager.post(
        "/can-bo/don-vi/14797/quay/", {"code": "Quầy 1", "name": "Quầy <b>1</b> mới"}
    )
    page = again.content.decode()
    assert again.status_code == 400 and 'id="desk-code-error"' in page
    assert 'value="Quầy &lt;b&gt;1&lt;/b&gt; mới"' in page and 'value="Quầy 1"' in page  # kept
    empty = manager.post("/can-bo/don-vi/14797/quay/", {"code": "", "name": ""}).content.decode()
    assert 'id="desk-name-error"' in empty and "Hãy nhập tên quầy" in empty
    assert manager.post("/can-bo/don-vi/16000/quay/", {"code": "q", "name": "Q"}).status_code == 404
    page = manager.post("/can-bo/don-vi/14797/ki-ot/", {"name": "Ki-ốt 1"}).content.decode()
    kiosk = Kiosk.objects.get(name="Ki-ốt 1")
    assert "/kiosk/dang-ky/" in page and kiosk.unit == tree["a"]
    manager.post(f"/can-bo/don-vi/14797/ki-ot/{kiosk.pk}/thu-hoi/")
    assert not Kiosk.objects.get(pk=kiosk.pk).active
    viewer = client_for(Role.VIEWER, tree["a"])
    assert viewer.post("/can-bo/don-vi/14797/quay/", {"code": "q", "name": "Q"}).status_code == 404
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["desk.create", "desk.update", "kiosk.create", "kiosk.revoke"]


def test_an_import_with_an_unknown_unit_is_refused_with_row_and_column_and_changes_nothing(
    tree: dict[str, Unit],
) -> None:
    coordinator = client_for(Role.COORDINATOR, None)
    content = (
        "code,name,field,level,unit_kinds\n1.001193,Đăng ký khai sinh,Hộ tịch,commune,ward\n"
        "1.000001,Thủ tục lạ,Khác,commune,KHONG-CO\n"
    ).encode()
    page = coordinator.post(
        "/can-bo/thu-tuc/nhap-tep/",
        {"file": SimpleUploadedFile("tt.csv", content), "action": "commit"},
    ).content.decode()
    assert "KHONG-CO" in page and "unit_kinds" in page and "<td>3</td>" in page
    assert not Service.objects.exists()
    good = content.split(b"1.000001")[0]
    coordinator.post(
        "/can-bo/thu-tuc/nhap-tep/", {"file": SimpleUploadedFile("tt.csv", good), "action": "check"}
    )
    assert not Service.objects.exists()  # checking writes nothing
    coordinator.post(
        "/can-bo/thu-tuc/nhap-tep/",
        {"file": SimpleUploadedFile("tt.csv", good), "action": "commit"},
    )
    assert list(Service.objects.get().units.all()) == [tree["a"]]
    page = coordinator.get(
        "/can-bo/thu-tuc/", {"q": "khai sinh", "cap": "commune"}
    ).content.decode()
    assert "Đăng ký khai sinh" in page
    units_csv = b"code,name,kind\nSNV,S\xe1\xbb\x9f N\xe1\xbb\x99i v\xe1\xbb\xa5,department\n"
    coordinator.post(
        "/can-bo/don-vi/nhap-tep/",
        {"file": SimpleUploadedFile("u.csv", units_csv), "action": "commit", "parent": "38"},
    )
    assert Unit.objects.get(code="SNV").parent == tree["root"]
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "service.import",
        "unit.import",
    ]
    manager = client_for(Role.UNIT_MANAGER, tree["a"])
    assert manager.get("/can-bo/thu-tuc/nhap-tep/").status_code == 403


def test_a_coordinator_of_a_subtree_cannot_move_or_place_units_outside_it(
    tree: dict[str, Unit],
) -> None:
    coordinator = client_for(Role.COORDINATOR, tree["a"])
    response = coordinator.post(
        "/can-bo/don-vi/14797/sua/", {"name": "Phường Hạc Thành 2", "kind": "ward"}
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="14797")
    assert unit.name == "Phường Hạc Thành 2" and unit.parent == tree["root"]  # not detached
    page = coordinator.post(
        "/can-bo/don-vi/14797/chia-tach/",
        {"valid_from": "2025-07-01", "parts": "S1; Xã Một; commune\nS2; Xã Hai; commune",
         "reason": "NQ"},
    ).content.decode()  # fmt: skip
    assert "outside your scope" in page and not Unit.objects.filter(code="S1").exists()
    assert coordinator.get("/can-bo/don-vi/16000/sua/").status_code == 404
