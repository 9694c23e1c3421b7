"""The auditors' screen: who sees which entries, searching, exporting, checking the chain."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.guard import guard_set
from hailong.audit.services import audit_record
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db
URL = "/quan-tri/nhat-ky/"


@pytest.fixture
def units() -> dict[str, Unit]:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    return {
        "a": Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root),
        "b": Unit.objects.create(code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root),
    }  # fmt: skip


@pytest.fixture
def log(units: dict[str, Unit]) -> None:
    audit_record(action="quota.change", unit=units["a"], reason="theo số hồ sơ <b>mới</b>")
    audit_record(action="quota.change", unit=units["b"], reason="bổ sung")
    audit_record(action="results.publish", actor_label="hailong publish")


def signed_in(role: str | None, unit: Unit | None = None) -> Client:
    user = User.objects.create_user(f"u-{role}-{unit.code if unit else 'tinh'}", is_staff=True)
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_people_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("role", [Role.CLERK, Role.VIEWER, None])
def test_other_roles_are_refused_and_told_why(role: str | None, log: None) -> None:
    client = signed_in(role)
    response = client.get(URL)
    assert response.status_code == 403
    page = response.content.decode()
    assert "nhật ký kiểm toán" in page and "audit log" not in page  # the page's language only
    assert client.get(URL + "xuat.csv").status_code == 403
    assert client.post(URL + "kiem-tra/").status_code == 403


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.COORDINATOR])
def test_auditors_administrators_and_coordinators_see_everything(role: str, log: None) -> None:
    page = signed_in(role).get(URL).content.decode()
    assert "Phường Hạc Thành" in page and "Xã Đông Tiến" in page and "results.publish" in page
    assert "&lt;b&gt;mới&lt;/b&gt;" in page  # escaped
    assert "công bố kết quả" in page and "sửa chỉ tiêu mẫu" in page  # the code, and in words


def test_every_action_written_to_the_log_has_words() -> None:
    """A new action without a label would show only its code to the person reading the log."""
    import re
    from pathlib import Path

    import hailong
    from hailong.audit.labels import LABELS

    written = set()
    for path in Path(hailong.__file__).parent.rglob("*.py"):
        if "tests" not in path.parts:
            written |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text("utf-8")))
    assert written and written <= set(LABELS), written - set(LABELS)


def test_a_unit_manager_sees_only_their_units_entries(units: dict[str, Unit], log: None) -> None:
    client = signed_in(Role.UNIT_MANAGER, units["a"])
    page = client.get(URL).content.decode()
    assert "Phường Hạc Thành" in page
    assert "Xã Đông Tiến" not in page and "results.publish" not in page
    exported = b"".join(client.get(URL + "xuat.csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert exported.count("\n") == 2 and "quota.change" in exported
    assert client.post(URL + "kiem-tra/").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.ADMINISTRATOR, Role.AUDITOR, Role.UNIT_MANAGER]
)
def test_a_role_held_over_one_unit_reads_only_that_units_entries(
    role: str, units: dict[str, Unit], log: None
) -> None:
    """Least privilege per unit: unit A's staff never read unit B's entries, whatever the role."""
    for own, other in (("a", "b"), ("b", "a")):
        client = signed_in(role, units[own])
        page = client.get(URL).content.decode()
        assert units[own].name in page
        assert units[other].name not in page and "results.publish" not in page
        assert units[other].name not in client.get(URL, {"action": "quota"}).content.decode()
        exported = b"".join(client.get(URL + "xuat.csv").streaming_content).decode()  # type: ignore[attr-defined]
        assert exported.count("\n") == 2 and units[other].name not in exported
        assert client.post(URL + "kiem-tra/").status_code == 403  # not the whole chain
        assert "kiem-tra" not in page


def test_searching_by_action_words_and_dates(units: dict[str, Unit], log: None) -> None:
    client = signed_in(Role.AUDITOR)
    page = client.get(URL, {"action": "results.publish"}).content.decode()
    assert "hailong publish" in page and "Phường Hạc Thành" not in page
    page = client.get(URL, {"text": "bổ sung"}).content.decode()
    assert "Xã Đông Tiến" in page and "Phường Hạc Thành" not in page
    today = timezone.localdate()  # the province's day: UTC's lags it from 17:00 UTC
    page = client.get(URL, {"since": str(today + dt.timedelta(days=1))}).content.decode()
    assert "Xã Đông Tiến" not in page
    wrong = client.get(URL, {"since": str(today), "until": str(today - dt.timedelta(days=1))})
    assert "trước ngày" in wrong.content.decode() and "comes before" in wrong.content.decode()


def test_export_keeps_the_filter(log: None) -> None:
    response = signed_in(Role.AUDITOR).get(URL + "xuat.csv", {"action": "quota.change"})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0].startswith("seq,at,actor_id") and len(lines) == 3


def test_the_verify_button_shows_the_result(log: None) -> None:
    from django.db import connection

    client = signed_in(Role.AUDITOR)
    assert "Chuỗi nguyên vẹn" in client.post(URL + "kiem-tra/").content.decode()
    guard_set(connection, on=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x' WHERE seq = 2")
    page = client.post(URL + "kiem-tra/").content.decode()
    assert "#2" in page and "hash does not match" in page


def test_what_is_done_to_a_units_staff_is_read_by_that_units_coordinator(
    units: dict[str, Unit],
) -> None:
    from hailong.accounts.services import user_lock, user_unlock

    clerk_a = User.objects.create_user("thu-ky-a")
    RoleAssignment.objects.create(user=clerk_a, role=Role.CLERK, unit=units["a"])
    clerk_b = User.objects.create_user("thu-ky-b")
    RoleAssignment.objects.create(user=clerk_b, role=Role.CLERK, unit=units["b"])
    admin = User.objects.create_user("quan-tri")
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR, unit=None)
    user_lock(actor=admin, user=clerk_a)
    user_unlock(actor=admin, user=clerk_b)
    page = signed_in(Role.COORDINATOR, units["a"]).get(URL).content.decode()
    assert "user.lock" in page and "thu-ky-a" in page
    assert "user.unlock" not in page and "thu-ky-b" not in page
