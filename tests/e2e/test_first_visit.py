"""A first visit in a real browser: the home page, the admin login, the unit tree in Vietnamese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hailong.accounts.models import User
from hailong.demo.services import answers_load, campaign_create, structure_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_visits_signs_in_and_sees_the_units(
    live_server: Any, page: Any, artifacts: Path
) -> None:
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=800, progress=lambda n: None)
    User.objects.create_superuser("dieuphoi", password="mat-khau-rat-dai-2026")

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Khảo sát sự hài lòng" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)

    page.get_by_role("link", name="Đơn vị").first.click()
    page.get_by_text("Phường Hạc Thành").first.wait_for()
    assert page.get_by_text("Xã (147)").is_visible()

    page.get_by_role("link", name="Cán bộ đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill("mat-khau-rat-dai-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Đơn vị hành chính").first.click()
    assert (
        "Chọn đơn vị hành chính để thay đổi" in page.locator("h1").inner_text()
        or page.get_by_text("Phường Hạc Thành").first.is_visible()
    )
    page.get_by_text("Phường Hạc Thành").first.wait_for()
    page.screenshot(path=str(artifacts / "admin-units.png"), full_page=True)
