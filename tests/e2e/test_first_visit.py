"""A first visit in a real browser: the home page, the admin login, the unit tree in Vietnamese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import User
from hailong.demo.services import answers_load, campaign_create, structure_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_visits_signs_in_and_sees_the_units(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=800, progress=lambda n: None)
    User.objects.create_superuser("dieuphoi", password="mat-khau-rat-dai-2026")

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Khảo sát sự hài lòng" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    assert axe(page) == []

    page.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page.locator("h1")).to_have_text("Đơn vị hành chính")
    expect(page.get_by_text("Sở Nội vụ").first).to_be_visible()  # the first group is open
    expect(page.get_by_text("Phường Hạc Thành").first).to_be_hidden()
    page.get_by_text("Phường (19)").click()  # a <details>: opens without JavaScript
    expect(page.get_by_text("Phường Hạc Thành").first).to_be_visible()
    expect(page.get_by_text("Xã (147)")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("link", name="Đăng nhập cán bộ").click()
    sign_in(page, None, "dieuphoi")
    page.get_by_role("link", name="Quản trị").click()  # from the staff home
    page.get_by_role("link", name="Đơn vị hành chính", exact=True).click()
    expect(page.locator("h1")).to_have_text("Chọn đơn vị hành chính để thay đổi")
    expect(page.locator("p.paginator")).to_contain_text("182 đơn vị hành chính")
    page.locator("#searchbar").fill("Hạc Thành")
    page.locator("#searchbar").press("Enter")
    expect(page.get_by_role("link", name="Phường Hạc Thành")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-units.png"), full_page=True)
