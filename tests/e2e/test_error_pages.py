"""The error pages in a real browser: the site's own pages, in Vietnamese, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mistyped_address_a_refused_form_and_a_server_error(
    live_server: Any, page: Any, artifacts: Path, axe: Any, settings: Any
) -> None:
    reply = page.goto(live_server.url + "/ket-qua/NOPE/")
    assert reply.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(page.get_by_role("navigation", name="Menu chính")).to_be_visible()
    expect(
        page.locator("main").get_by_role("link", name="Tra cứu phản ánh đã gửi")
    ).to_have_attribute("href", "/gop-y/tra-cuu/")
    page.screenshot(path=str(artifacts / "error-404.png"), full_page=True)
    assert axe(page) == []

    # the language button is a form: sent without the site's cookie, the CSRF check refuses it
    page.context.clear_cookies()
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Không gửi được biểu mẫu")
    page.screenshot(path=str(artifacts / "error-csrf.png"), full_page=True)
    assert axe(page) == []
    page.get_by_role("link", name="Mở lại biểu mẫu").click()  # back to the page it came from
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    page.get_by_role("button", name="English").click()  # sent again, now with the cookie
    expect(page.locator("h1")).to_have_text("Page not found")

    settings.ROOT_URLCONF = "hailong.core.tests.test_error_pages"  # the site and a failing page
    reply = page.goto(live_server.url + "/test-loi-may-chu/")
    assert reply.status == 500
    expect(page.locator("h1")).to_have_text("Something went wrong on our side")  # in English now
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(artifacts / "error-500.png"), full_page=True)
    assert axe(page) == []
