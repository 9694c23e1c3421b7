"""A coordinator signs in with a password and an authenticator code, in a real browser checked by axe."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from hailong.accounts import totp
from hailong.accounts.models import Role, RoleAssignment, TotpDevice, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-rat-dai-2026"


@override_settings(HAILONG_TOTP_REQUIRED_ROLES=["administrator", "coordinator"])
def test_a_coordinator_enrols_then_signs_in_with_a_code(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    coordinator = User.objects.create_user("dieuphoi", password=PASSWORD, first_name="Lê Thu Hà")
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR)

    page.goto(live_server.url + "/can-bo/nguoi-dung/")  # sends the person to sign in first
    expect(page.locator("h1")).to_have_text("Đăng nhập cán bộ")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "sign-in.png"), full_page=True)
    sign_in(page, None, "dieuphoi", "sai-mat-khau-roi")
    expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    assert axe(page) == []

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Coordinators need an authenticator and have none yet: enrolment comes first.
    expect(page.locator("h1")).to_have_text("Thiết lập xác thực hai bước")
    assert page.locator("figure.qr svg").count() == 1
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "totp-enrol.png"), full_page=True)
    secret = TotpDevice.objects.get(user=coordinator).secret
    assert totp.secret_grouped(secret) in page.locator(".secret").inner_text()
    page.get_by_label("Mã trong ứng dụng").fill(totp.totp(secret, time.time()))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("ol.codes li")).to_have_count(10)
    assert axe(page) == []
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Người dùng")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("h1")).to_have_text("Đăng nhập cán bộ")
    sign_in(page, None, "dieuphoi")
    expect(page.locator("h1")).to_have_text("Xác thực hai bước")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "totp-second-step.png"), full_page=True)
    # The enrolment used the current step; the next one is accepted too (clock drift).
    page.get_by_label("Mã").fill(totp.totp(secret, time.time() + 30))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Xin chào, Lê Thu Hà")
    expect(page.get_by_role("link", name="Người dùng")).to_be_visible()
    assert axe(page) == []
