"""A unit manager prints the QR codes of their unit in a real browser, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.units.models import Desk, Service, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_manager_finds_and_downloads_the_codes_of_their_unit(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    Unit.objects.create(code="STC", name="Sở Tài chính", kind=UnitKind.DEPARTMENT, parent=province)
    for n, name in enumerate(["Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao"]):
        Service.objects.create(
            code=f"1.00{n}", name=name, field="Hộ tịch", level="commune"
        ).units.add(ward)
    Desk.objects.create(unit=ward, code="quay-1", name="Quầy số 1 – Hộ tịch")
    manager = User.objects.create_user("quanly", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=ward)

    # The page sends the person to sign in first.
    sign_in(page, live_server.url + "/quan-tri/ma-qr/", "quanly")
    expect(page.locator("h1")).to_have_text("Mã QR khảo sát")
    expect(page.get_by_text("Sở Tài chính")).to_have_count(0)
    assert axe(page) == []

    page.get_by_role("link", name="Phường Hạc Thành").click()
    expect(page.locator("h1")).to_have_text("Mã QR: Phường Hạc Thành")
    image = page.get_by_role("img", name="Mã QR: Quầy số 1 – Hộ tịch")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)  # lazy images load when shown
    assert image.evaluate("img => img.naturalWidth") > 100  # the SVG loaded
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "qr-unit.png"), full_page=True)

    page.get_by_label("Tìm thủ tục theo tên hoặc mã").fill("kết hôn")
    page.get_by_role("button", name="Tìm", exact=True).click()
    table = page.locator("table")
    expect(table).to_contain_text("Đăng ký kết hôn")
    expect(table).not_to_contain_text("Đăng ký khai sinh")
    with page.expect_download() as poster:
        page.get_by_role("link", name="Áp phích (PDF)").click()
    assert poster.value.suggested_filename == "ap-phich-14797-1.001.pdf"
    with page.expect_download() as slips:
        page.get_by_role("link", name="Phiếu, mỗi thủ tục một phiếu (PDF)").click()
    assert Path(slips.value.path()).read_bytes().startswith(b"%PDF")

    page.goto(live_server.url + "/q/hong-mat-roi")  # a damaged code, as a citizen would
    expect(page.locator("h1")).to_have_text("Mã QR này không dùng được")
    assert axe(page) == []
    page.get_by_role("link", name="Về trang chủ khảo sát").click()
    expect(page).to_have_url(live_server.url + "/")
