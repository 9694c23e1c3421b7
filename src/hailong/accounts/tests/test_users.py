"""The coordinators' user screen and the services behind it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, SignInAttempt, User
from hailong.accounts.services import (
    ManageError,
    role_grant,
    user_create,
    user_lock,
    user_password_reset,
)
from hailong.units.models import Unit, UnitKind

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db: None) -> User:
    user = User.objects.create_user("dieu-phoi", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    return user


def test_coordinators_cannot_grant_the_administrator_role(coordinator: User, clerk: User) -> None:
    with pytest.raises(ManageError) as refused:
        user_create(
            actor=coordinator, username="moi", full_name="Lê Văn Mới", email="",
            role=Role.ADMINISTRATOR, unit=None,
        )  # fmt: skip
    assert refused.value.field == "role" and "quản trị hệ thống" in refused.value.vi
    with pytest.raises(ManageError):
        role_grant(actor=coordinator, user=clerk, role=Role.ADMINISTRATOR, unit=None)
    assert not User.objects.filter(username="moi").exists()
    assert not clerk.roles.filter(role=Role.ADMINISTRATOR).exists()


def test_coordinators_cannot_change_administrators(coordinator: User) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    for change in (user_lock, user_password_reset):
        with pytest.raises(ManageError, match="root"):
            change(actor=coordinator, user=root)
    root.refresh_from_db()
    assert root.is_active and root.check_password(PASSWORD)


def test_a_unit_manager_grants_only_within_their_unit(clerk: User) -> None:
    dept = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    ward = Unit.objects.get(code="14797")
    manager = User.objects.create_user("quan-ly", password=PASSWORD)
    RoleAssignment.objects.create(user=manager, role=Role.COORDINATOR, unit=dept)
    with pytest.raises(ManageError, match="Phường Hạc Thành"):
        user_create(
            actor=manager, username="a", full_name="A", email="", role=Role.CLERK, unit=ward
        )
    with pytest.raises(ManageError, match="chọn đơn vị"):
        user_create(
            actor=manager, username="a", full_name="A", email="", role=Role.CLERK, unit=None
        )
    user, _ = user_create(
        actor=manager, username="a", full_name="A", email="", role=Role.CLERK, unit=dept
    )
    assert list(user.roles.values_list("unit__code", flat=True)) == ["SNV"]


def test_the_screen_creates_a_user_who_then_signs_in(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    form = client.get("/can-bo/nguoi-dung/moi/").content.decode()
    assert 'value="administrator"' not in form and "14797 — Phường Hạc Thành" not in form
    Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    assert "14797 — Phường Hạc Thành" in client.get("/can-bo/nguoi-dung/moi/").content.decode()
    forged = client.post(
        "/can-bo/nguoi-dung/moi/",
        {"username": "moi", "full_name": "Lê Văn Mới", "role": "administrator", "unit": ""},
    )
    assert forged.status_code == 400 and "không giao được vai trò" in forged.content.decode()
    unknown = client.post(
        "/can-bo/nguoi-dung/moi/",
        {"username": "moi", "full_name": "Lê Văn Mới", "role": "clerk", "unit": "99999"},
    )
    assert unknown.status_code == 400 and "Không tìm thấy đơn vị" in unknown.content.decode()
    everywhere = client.post(  # a unit manager over nothing would read every unit's senders
        "/can-bo/nguoi-dung/moi/",
        {"username": "moi", "full_name": "Lê Văn Mới", "role": "unit_manager", "unit": ""},
    )
    assert everywhere.status_code == 400
    assert "Lãnh đạo đơn vị phải gắn với một đơn vị" in everywhere.content.decode()
    assert not User.objects.filter(username="moi").exists()
    created = client.post(
        "/can-bo/nguoi-dung/moi/",
        {"username": "moi", "full_name": "Lê Văn Mới", "email": "moi@thanhhoa.gov.vn",
         "role": "clerk", "unit": "14797 — Phường Hạc Thành"},
    )  # fmt: skip
    password = re.search(r'id="password">([^<]+)<', created.content.decode()).group(1)  # type: ignore[union-attr]
    user = User.objects.get(username="moi")
    assert user.get_full_name() == "Lê Văn Mới" and not user.is_staff
    assert user.roles.get().unit.code == "14797"
    listing = client.get("/can-bo/nguoi-dung/?q=moi").content.decode()
    assert "Lê Văn Mới" in listing and "Phường Hạc Thành" in listing
    fresh = Client()
    assert (
        fresh.post("/dang-nhap/", {"username": "moi", "password": password})["Location"]
        == "/can-bo/"
    )


def test_reset_lock_unlock_and_remove_a_role(
    client: Client, coordinator: User, clerk: User
) -> None:
    client.force_login(coordinator)
    base = f"/can-bo/nguoi-dung/{clerk.pk}/"
    for _ in range(5):
        Client().post("/dang-nhap/", {"username": "lan", "password": "sai-mat-khau"})
    reset = client.post(base + "mat-khau/").content.decode()
    password = re.search(r'id="password">([^<]+)<', reset).group(1)  # type: ignore[union-attr]
    assert not SignInAttempt.objects.filter(username="lan", ok=False).exists()
    clerk.refresh_from_db()
    assert clerk.check_password(password)
    client.post(base + "khoa/")
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert (
        "Sai tên đăng nhập"
        in Client().post("/dang-nhap/", {"username": "lan", "password": password}).content.decode()
    )
    client.post(base + "mo-khoa/")
    clerk.refresh_from_db()
    assert clerk.is_active
    assignment = clerk.roles.get()
    client.post(f"{base}vai-tro/{assignment.pk}/bo/")
    assert not clerk.roles.exists()
    assert client.get(base + "khoa/").status_code == 405


def test_only_administrators_and_coordinators_open_the_screen(client: Client, clerk: User) -> None:
    client.force_login(clerk)
    refused = client.get("/can-bo/nguoi-dung/")
    assert refused.status_code == 403 and "điều phối viên" in refused.content.decode()
    assert client.post(f"/can-bo/nguoi-dung/{clerk.pk}/khoa/").status_code == 403


@pytest.mark.django_db
def test_every_change_to_users_is_in_the_audit_log() -> None:
    from hailong.accounts.services import role_remove, user_create, user_lock
    from hailong.audit.models import AuditEntry
    from hailong.audit.selectors import audit_verify

    boss = User.objects.create_superuser("quantri", password="mat-khau-rat-dai-2026")
    user, _ = user_create(actor=boss, username="lan", full_name="Nguyễn Thị Lan",
                          email="", role="viewer", unit=None)  # fmt: skip
    user_lock(actor=boss, user=user)
    role_remove(actor=boss, assignment=user.roles.get())
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor_label"))
    assert actions == [("user.create", "quantri"), ("user.lock", "quantri"),
                       ("user.role_revoke", "quantri")]  # fmt: skip
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_change_to_a_person_is_kept_only_with_its_audit_entry(
    coordinator: User, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit log cannot be written, the password, the lock and the unlock are not either."""
    from hailong.accounts import services
    from hailong.accounts.services import user_unlock

    def broken(**_: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    for change in (user_password_reset, user_lock, user_unlock):
        with pytest.raises(RuntimeError):
            change(actor=coordinator, user=clerk)
        clerk.refresh_from_db()
        assert clerk.is_active and clerk.check_password(PASSWORD), change.__name__


def test_a_unit_manager_always_has_a_unit_even_granted_by_an_administrator(clerk: User) -> None:
    from django.core.exceptions import ValidationError

    admin = User.objects.create_user("quan-tri", password=PASSWORD)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR, unit=None)
    with pytest.raises(ManageError) as refused:
        role_grant(actor=admin, user=clerk, role=Role.UNIT_MANAGER, unit=None)
    assert refused.value.field == "unit" and "gắn với một đơn vị" in refused.value.vi
    with pytest.raises(ValidationError, match=r"unit manager needs a unit|Lãnh đạo đơn vị"):
        RoleAssignment(user=clerk, role=Role.UNIT_MANAGER, unit=None).full_clean()
    RoleAssignment(user=clerk, role=Role.VIEWER, unit=None).full_clean()  # leaders read all
    # one granted before the rule (straight into the table) holds no unit at all, not every unit
    from hailong.accounts.selectors import units_in_scope

    RoleAssignment.objects.create(user=clerk, role=Role.UNIT_MANAGER, unit=None)
    assert not units_in_scope(user=clerk, roles=(Role.UNIT_MANAGER,)).exists()
    assert units_in_scope(user=clerk).count() == 1  # the clerk's own ward still


def test_a_person_replaces_the_password_they_were_given(client: Client, clerk: User) -> None:
    from hailong.accounts.services import PASSWORD_SYMBOLS, password_new
    from hailong.audit.models import AuditEntry

    given = password_new()
    assert re.fullmatch(rf"[{PASSWORD_SYMBOLS}]{{5}}(-[{PASSWORD_SYMBOLS}]{{5}}){{3}}", given)
    assert not set("0Oo1Il") & set(given)
    clerk.set_password(given)
    clerk.save()
    other = Client()  # the same account signed in elsewhere, e.g. by whoever read it out
    other.force_login(clerk)
    client.force_login(clerk)
    assert "Đổi mật khẩu" in client.get("/can-bo/").content.decode()
    weak = client.post("/can-bo/mat-khau/", {"old_password": given, "new_password1": "12345678",
                                            "new_password2": "12345678"})  # fmt: skip
    assert weak.status_code == 400 and "id_new_password2_error" in weak.content.decode()
    wrong = client.post("/can-bo/mat-khau/", {"old_password": "sai", "new_password1": "x",
                                             "new_password2": "x"})  # fmt: skip
    assert wrong.status_code == 400 and clerk.__class__.objects.get(pk=clerk.pk).check_password(
        given
    )
    mine = "một câu chỉ tôi biết 2026"
    done = client.post("/can-bo/mat-khau/", {"old_password": given, "new_password1": mine,
                                            "new_password2": mine})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == "/can-bo/"
    assert User.objects.get(pk=clerk.pk).check_password(mine)
    assert client.get("/can-bo/").status_code == 200  # still signed in here
    assert other.get("/can-bo/").status_code == 302  # signed out elsewhere
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.actor_id == clerk.pk and mine not in str(entry.__dict__)
    client.logout()
    assert client.get("/can-bo/mat-khau/").status_code == 302  # signed-in people only
