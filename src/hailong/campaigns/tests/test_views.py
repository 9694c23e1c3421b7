"""The campaign screens: who sees what, who changes what, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.models import AuditEntry
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    builtin_instruments_load()
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    commune = Unit.objects.create(
        code="16000", name="Xã Nga Sơn", kind=UnitKind.COMMUNE, parent=province
    )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="sipas-nay", name="Khảo sát năm nay", year=today.year,
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
        period_start=today, period_end=today + dt.timedelta(days=30),
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=120, completed_files=900)
    CampaignUnit.objects.create(campaign=campaign, unit=commune, quota=80, completed_files=300)
    return {"province": province, "ward": ward, "commune": commune, "campaign": campaign}


def signed_in(role: str, unit: Unit | None = None) -> Client:
    user = User.objects.create_user(f"u-{role}", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_is_refused_and_a_stranger_is_sent_to_sign_in(world: dict[str, Any]) -> None:
    assert signed_in(Role.CLERK).get("/can-bo/dot-khao-sat/").status_code == 403
    reply = Client().get("/can-bo/dot-khao-sat/")
    assert reply.status_code == 302 and "/dang-nhap/" in reply["Location"]


def test_a_unit_manager_sees_only_their_units_quotas_and_changes_nothing(
    world: dict[str, Any],
) -> None:
    manager = signed_in(Role.UNIT_MANAGER, world["ward"])
    listed = manager.get("/can-bo/dot-khao-sat/")
    assert listed.status_code == 200
    assert "Khảo sát năm nay" in listed.text and "Tạo đợt khảo sát" not in listed.text
    plan = manager.get("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/")
    assert "Phường Hạc Thành" in plan.text and "Xã Nga Sơn" not in plan.text
    assert 'name="quota-' not in plan.text
    cu = world["campaign"].scope.get(unit=world["ward"])
    before = AuditEntry.objects.count()
    for path, data in [
        ("ke-hoach/luu/", {f"quota-{cu.pk}": "5"}),
        ("ke-hoach/theo-loai/", {"kind-ward": "5"}),
        ("buoc/", {"to": "open", "reason": "thử"}),
        ("cai-dat/", {"channels": ["web"], "period_start": "2026-01-01",
                      "period_end": "2026-12-31", "min_answers": "5"}),
    ]:  # fmt: skip
        assert manager.post(f"/can-bo/dot-khao-sat/sipas-nay/{path}", data).status_code == 403
    assert manager.get("/can-bo/dot-khao-sat/moi/").status_code == 403
    cu.refresh_from_db()
    assert cu.quota == 120 and AuditEntry.objects.count() == before
    assert Campaign.objects.get(code="sipas-nay").status == "draft"


def test_a_manager_of_another_unit_does_not_see_the_campaign(world: dict[str, Any]) -> None:
    elsewhere = Unit.objects.create(code="99", name="Xã khác", kind=UnitKind.COMMUNE)
    manager = signed_in(Role.UNIT_MANAGER, elsewhere)
    assert "Khảo sát năm nay" not in manager.get("/can-bo/dot-khao-sat/").text
    assert manager.get("/can-bo/dot-khao-sat/sipas-nay/").status_code == 404


def test_a_coordinator_creates_a_campaign_and_a_bad_one_is_explained(
    world: dict[str, Any],
) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    version = InstrumentVersion.objects.get(code="sipas-2017-province")
    data = {
        "code": "sipas-2030", "name": "Khảo sát 2030", "year": "2030", "instrument": version.pk,
        "period_start": "2030-11-01", "period_end": "2030-10-01", "min_answers": "30",
        "confidence": "0.95",
    }  # fmt: skip
    bad = coordinator.post("/can-bo/dot-khao-sat/moi/", data)
    assert bad.status_code == 200 and "the end date is before the start date" in bad.text
    assert not Campaign.objects.filter(code="sipas-2030").exists()
    good = coordinator.post("/can-bo/dot-khao-sat/moi/", {**data, "period_end": "2030-12-20"})
    assert good.status_code == 302 and good["Location"] == "/can-bo/dot-khao-sat/sipas-2030/"
    assert AuditEntry.objects.filter(action="campaign.create").count() == 1
    page = coordinator.get("/can-bo/dot-khao-sat/sipas-2030/")
    assert "Chọn các đơn vị khảo sát" in page.text or "Choose the units in scope" in page.text


def test_quotas_above_the_files_are_refused_whole_from_the_table(world: dict[str, Any]) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    ward = world["campaign"].scope.get(unit=world["ward"])
    commune = world["campaign"].scope.get(unit=world["commune"])
    reply = coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/luu/",
        {f"files-{ward.pk}": "900", f"quota-{ward.pk}": "150",
         f"files-{commune.pk}": "300", f"quota-{commune.pk}": "400"},
        follow=True,
    )  # fmt: skip
    assert "quotas exceed the files available: Xã Nga Sơn (400 &gt; 300)" in reply.text
    ward.refresh_from_db()
    assert ward.quota == 120
    coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/luu/",
        {f"files-{ward.pk}": "900", f"quota-{ward.pk}": "150",
         f"files-{commune.pk}": "500", f"quota-{commune.pk}": "400"},
    )  # fmt: skip
    commune.refresh_from_db()
    assert (commune.completed_files, commune.quota) == (500, 400)


def test_the_planner_proposal_is_shown_beside_the_current_quotas(world: dict[str, Any]) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    page = coordinator.get(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/",
        {"de-xuat": "1", "margin": "0.05", "confidence": "0.95", "method": "proportional",
         "minimum": "30", "per_unit": "on"},
    )  # fmt: skip
    assert page.status_code == 200
    proposal = page.context["proposal"]
    assert proposal[world["ward"].pk] == 270 and proposal[world["commune"].pk] == 169
    assert world["campaign"].scope.get(unit=world["ward"]).quota == 120  # shown, not saved


def test_an_upload_naming_an_unknown_unit_is_shown_and_nothing_stored(
    world: dict[str, Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    coordinator = signed_in(Role.COORDINATOR)
    bad = SimpleUploadedFile("so-ho-so.csv", b"unit,files\n14797,1000\nXYZ,5\n", "text/csv")
    reply = coordinator.post("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/tai-len/", {"file": bad})
    assert reply.status_code == 400 and "unit &#x27;XYZ&#x27; is not in the campaign" in reply.text
    assert world["campaign"].scope.get(unit=world["ward"]).completed_files == 900
    good = SimpleUploadedFile("so-ho-so.csv", b"unit,files\n14797,1000\n16000,40\n", "text/csv")
    preview = coordinator.post("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/tai-len/", {"file": good})
    assert preview.status_code == 200
    assert world["campaign"].scope.get(unit=world["ward"]).completed_files == 900
    coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/tai-len/ghi/",
        {"digest": preview.context["digest"], "suffix": ".csv"},
    )
    assert world["campaign"].scope.get(unit=world["ward"]).completed_files == 1000
    assert AuditEntry.objects.filter(action="campaign.volumes_import").count() == 1


def test_a_step_that_is_not_allowed_is_refused_with_its_reason(world: dict[str, Any]) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    reply = coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/buoc/", {"to": "published", "reason": "sớm"}, follow=True
    )
    assert "cannot go from &#x27;draft&#x27; to &#x27;published&#x27;" in reply.text
    reply = coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/buoc/", {"to": "open", "reason": " "}, follow=True
    )
    assert "give a reason" in reply.text
    assert Campaign.objects.get(code="sipas-nay").status == "draft"
    reply = coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/buoc/", {"to": "open", "reason": "Bắt đầu"}, follow=True
    )  # no channel chosen yet: the page says so, in both languages
    assert "đợt chưa mở kênh thu phiếu nào" in reply.text
    assert "the campaign has no open channel" in reply.text
    assert Campaign.objects.get(code="sipas-nay").status == "draft"
    Campaign.objects.filter(code="sipas-nay").update(channels=["web", "paper"])
    coordinator.post("/can-bo/dot-khao-sat/sipas-nay/buoc/", {"to": "open", "reason": "Bắt đầu"})
    assert Campaign.objects.get(code="sipas-nay").status == "open"
    assert AuditEntry.objects.filter(action="campaign.open", reason="Bắt đầu").exists()


def test_the_staff_home_lists_campaigns_for_readers_not_clerks(world: dict[str, Any]) -> None:
    assert "/can-bo/dot-khao-sat/" in signed_in(Role.VIEWER, world["ward"]).get("/can-bo/").text
    assert "/can-bo/dot-khao-sat/" not in signed_in(Role.CLERK, world["ward"]).get("/can-bo/").text


def test_a_coordinator_of_one_subtree_cannot_change_a_wider_campaign(
    world: dict[str, Any],
) -> None:
    local = signed_in(Role.COORDINATOR, world["ward"])
    page = local.get("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/")
    assert page.status_code == 200 and 'name="quota-' not in page.text  # reads its ward only
    cu = world["campaign"].scope.get(unit=world["ward"])
    reply = local.post("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/luu/", {f"quota-{cu.pk}": "5"})
    assert reply.status_code == 403
    cu.refresh_from_db()
    assert cu.quota == 120


def test_an_xlsx_of_files_is_read_and_a_proposal_without_files_is_explained(
    world: dict[str, Any],
) -> None:
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    coordinator = signed_in(Role.COORDINATOR)
    commune = world["campaign"].scope.get(unit=world["commune"])
    commune.completed_files = None
    commune.save()
    page = coordinator.get(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/",
        {"de-xuat": "1", "margin": "0.05", "confidence": "0.95", "method": "proportional",
         "minimum": "30"},
    )  # fmt: skip
    assert page.context["proposal"] is None
    assert "completed files are missing for 1 units: Xã Nga Sơn" in page.text
    data = io.BytesIO()
    book = xlsxwriter.Workbook(data, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([["unit", "files"], ["14797", 950], ["16000", 310]]):
        sheet.write_row(r, 0, row)
    book.close()
    upload = SimpleUploadedFile("so-ho-so.xlsx", data.getvalue())
    preview = coordinator.post("/can-bo/dot-khao-sat/sipas-nay/ke-hoach/tai-len/", {"file": upload})
    assert preview.status_code == 200, preview.text
    coordinator.post(
        "/can-bo/dot-khao-sat/sipas-nay/ke-hoach/tai-len/ghi/",
        {"digest": preview.context["digest"], "suffix": ".xlsx"},
    )
    commune.refresh_from_db()
    assert commune.completed_files == 310
