"""The staff sign-in: roles not is_staff, lockout per username and address, safe next, 2 steps."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hailong.accounts import totp
from hailong.accounts.models import Role, RoleAssignment, SignInAttempt, TotpDevice, User
from hailong.accounts.services import admin_create

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Sai tên đăng nhập hoặc mật khẩu"
LOCKED = "Tạm khóa đăng nhập 15 phút do nhập sai nhiều lần"


def sign_in(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post("/dang-nhap/", {"username": username, "password": password, **extra})


def test_a_clerk_without_is_staff_signs_in_and_reaches_paper_entry(
    client: Client, clerk: User
) -> None:
    assert not clerk.is_staff
    anonymous = client.get("/quan-tri/nhap-lieu/")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/dang-nhap/?next=/quan-tri/nhap-lieu/"
    page = client.get(anonymous["Location"]).content.decode()
    assert 'name="next" value="/quan-tri/nhap-lieu/"' in page and 'lang="vi"' in page
    response = sign_in(client, "lan", PASSWORD, next="/quan-tri/nhap-lieu/")
    assert response["Location"] == "/quan-tri/nhap-lieu/"
    assert client.get("/quan-tri/nhap-lieu/").status_code == 200
    home = client.get("/can-bo/").content.decode()
    assert 'href="/quan-tri/nhap-lieu/"' in home and 'href="/quan-tri/ma-moi/"' in home
    assert 'href="/quan-tri/"' not in home and 'href="/can-bo/nguoi-dung/"' not in home


def test_sign_in_changes_the_session_key_and_sign_out_is_post_only(
    client: Client, clerk: User
) -> None:
    client.get("/dang-nhap/")
    sign_in(client, "lan", "sai-mat-khau-roi")
    before = client.session.session_key
    assert sign_in(client, "lan", PASSWORD)["Location"] == "/can-bo/"
    assert client.session.session_key != before
    assert client.get("/dang-xuat/").status_code == 405
    assert client.post("/dang-xuat/")["Location"] == "/dang-nhap/"
    assert client.get("/can-bo/").status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example/x", "https:/evil.example", "/\\evil.example"]
)
def test_next_only_goes_to_paths_on_this_site(client: Client, clerk: User, target: str) -> None:
    assert sign_in(client, "lan", PASSWORD, next=target)["Location"] == "/can-bo/"


def test_the_admin_login_sends_to_the_staff_sign_in(client: Client, clerk: User) -> None:
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response["Location"] == "/dang-nhap/?next=%2Fquan-tri%2F"
    assert client.get("/quan-tri/")["Location"].startswith("/quan-tri/login/")
    sign_in(client, "lan", PASSWORD)
    # Signed in without is_staff: the admin is not for this account, and says so.
    refused = client.get("/quan-tri/", follow=True)
    assert refused.redirect_chain[-1][0] == "/can-bo/"
    assert "không vào được trang quản trị" in refused.content.decode()
    _root, password = admin_create(username="root")
    client.post("/dang-xuat/")
    sign_in(client, "root", password, next="/quan-tri/")
    assert client.get("/quan-tri/").status_code == 200


def test_five_failures_pause_the_username_without_saying_whether_it_exists(
    client: Client, clerk: User
) -> None:
    for name in ["lan", "khong-co-ai"]:
        for attempt in range(1, 6):
            page = sign_in(client, name, f"sai-{attempt}").content.decode()
            assert (LOCKED if attempt == 5 else WRONG) in page, (name, attempt)
        refused = sign_in(client, name, PASSWORD if name == "lan" else "x")
        assert refused.status_code == 403 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        SignInAttempt.objects.filter(username="lan", ok=False).count() == 5
    )  # pauses aren't counted
    assert set(SignInAttempt.objects.values_list("client_hash", flat=True)) != {"127.0.0.1"}


def test_the_pause_ends_after_the_window(client: Client, clerk: User) -> None:
    for attempt in range(5):
        sign_in(client, "lan", f"sai-{attempt}")
    assert LOCKED in sign_in(client, "lan", PASSWORD).content.decode()
    SignInAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, "lan", PASSWORD)["Location"] == "/can-bo/"


def test_failures_spread_over_more_than_the_window_do_not_pause(
    client: Client, clerk: User
) -> None:
    for attempt in range(4):
        sign_in(client, "lan", f"sai-{attempt}")
    SignInAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert WRONG in sign_in(client, "lan", "sai-nua").content.decode()
    assert sign_in(client, "lan", PASSWORD)["Location"] == "/can-bo/"


@override_settings(HAILONG_LOCKOUT_ATTEMPTS=3, HAILONG_LOCKOUT_MINUTES=5)
def test_the_limits_come_from_settings(client: Client, clerk: User) -> None:
    for attempt in range(3):
        page = sign_in(client, "lan", f"sai-{attempt}").content.decode()
    assert "Tạm khóa đăng nhập 5 phút" in page


def test_twenty_failures_from_one_address_pause_every_username(client: Client, clerk: User) -> None:
    for attempt in range(20):
        sign_in(client, f"doan-{attempt}", "sai-mat-khau")
    assert LOCKED in sign_in(client, "lan", PASSWORD).content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, "lan", PASSWORD)["Location"] == "/can-bo/"


def test_a_user_without_a_role_or_locked_cannot_sign_in(client: Client, clerk: User) -> None:
    User.objects.create_user("khong-vai-tro", password=PASSWORD)
    page = sign_in(client, "khong-vai-tro", PASSWORD).content.decode()
    assert "chưa được giao vai trò" in page and "_auth_user_id" not in client.session
    clerk.is_active = False
    clerk.save()
    assert WRONG in sign_in(client, "lan", PASSWORD).content.decode()


def enrolled(user: User) -> TotpDevice:
    return TotpDevice.objects.create(
        user=user, secret=totp.secret_new(), confirmed_at=timezone.now()
    )


def test_an_authenticator_adds_a_second_screen(client: Client, clerk: User) -> None:
    device = enrolled(clerk)
    first = sign_in(client, "lan", PASSWORD, next="/quan-tri/nhap-lieu/")
    assert first["Location"] == "/dang-nhap/xac-thuc/"
    assert "_auth_user_id" not in client.session  # the password alone does not sign in
    assert client.get("/quan-tri/nhap-lieu/").status_code == 302
    wrong = client.post("/dang-nhap/xac-thuc/", {"code": "000000"})
    assert wrong.status_code == 403 and "Mã xác thực không đúng" in wrong.content.decode()
    code = totp.totp(device.secret, time.time())
    assert client.post("/dang-nhap/xac-thuc/", {"code": code})["Location"] == "/quan-tri/nhap-lieu/"
    client.post("/dang-xuat/")
    sign_in(client, "lan", PASSWORD)
    replay = client.post("/dang-nhap/xac-thuc/", {"code": code})
    assert replay.status_code == 403 and "đã dùng" in replay.content.decode()


def test_the_second_step_waits_five_minutes_and_counts_failures(
    client: Client, clerk: User
) -> None:
    enrolled(clerk)
    sign_in(client, "lan", PASSWORD)
    session = client.session
    session["hailong_password_ok"]["at"] = time.time() - 301
    session.save()
    late = client.get("/dang-nhap/xac-thuc/", follow=True)
    assert late.redirect_chain[-1][0] == "/dang-nhap/" and "quá 5 phút" in late.content.decode()
    sign_in(client, "lan", PASSWORD)
    for _ in range(5):
        assert client.post("/dang-nhap/xac-thuc/", {"code": "123456"}).status_code == 403
    assert LOCKED in client.post("/dang-nhap/xac-thuc/", {"code": "123456"}).content.decode()


@override_settings(HAILONG_TOTP_REQUIRED_ROLES=["administrator", "coordinator"])
def test_a_required_second_step_sends_to_enrolment_first(client: Client, clerk: User) -> None:
    assert sign_in(client, "lan", PASSWORD)["Location"] == "/can-bo/"  # clerks: optional
    client.post("/dang-xuat/")
    coordinator = User.objects.create_user("dieu-phoi", password=PASSWORD)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR)
    first = sign_in(client, "dieu-phoi", PASSWORD, next="/can-bo/nguoi-dung/")
    assert first["Location"] == "/can-bo/xac-thuc-hai-buoc/"
    assert "_auth_user_id" not in client.session
    assert client.get("/can-bo/nguoi-dung/").status_code == 302
    page = client.get("/can-bo/xac-thuc-hai-buoc/").content.decode()
    assert "cần xác thực hai bước" in page or "requires two-step" in page
    device = TotpDevice.objects.get(user=coordinator)
    shown = client.post(
        "/can-bo/xac-thuc-hai-buoc/", {"code": totp.totp(device.secret, time.time())}
    )
    assert 'href="/can-bo/nguoi-dung/"' in shown.content.decode()
    assert client.get("/can-bo/nguoi-dung/").status_code == 200
    # A session made without the second step (before the setting) is ended at the next request.
    other = Client()
    other.force_login(coordinator)
    assert other.get("/can-bo/")["Location"] == "/dang-nhap/?next=/can-bo/"
    assert "cần xác thực hai bước" in other.get("/dang-nhap/").content.decode()
    superuser, password = admin_create(username="root")
    superuser.roles.all().delete()  # a superuser counts as an administrator
    assert sign_in(Client(), "root", password)["Location"] == "/can-bo/xac-thuc-hai-buoc/"
