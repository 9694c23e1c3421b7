"""A coordinator finds a unit in the directory, adds a desk and merges two units, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.units.models import Service, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_uses_the_unit_directory(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root
    )
    Unit.objects.create(code="16000", name="Xã Đông Sơn", kind=UnitKind.COMMUNE, parent=root)
    service = Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    )
    service.units.add(ward)
    user = User.objects.create_user("dieuphoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)

    sign_in(page, f"{live_server.url}/can-bo/don-vi/", "dieuphoi")
    expect(page.locator("h1")).to_have_text("Danh mục đơn vị")
    assert axe(page) == []
    page.get_by_label("Tìm đơn vị (gõ có dấu hay không đều được)").fill("hac thanh")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Phường Hạc Thành").click()
    expect(page.locator("h1")).to_have_text("Phường Hạc Thành")
    expect(page.get_by_role("rowheader", name="Đăng ký khai sinh")).to_be_visible()
    page.get_by_label("Mã quầy (ví dụ quay-1)").fill("quay-1")
    page.get_by_label("Tên quầy").fill("Quầy 1 – Hộ tịch")
    page.get_by_role("button", name="Thêm quầy").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm quầy.")
    expect(page.get_by_role("rowheader", name="Quầy 1 – Hộ tịch")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Hợp nhất với đơn vị khác").click()
    page.get_by_label("Mã các đơn vị hợp nhất").fill("14797\n16000")
    page.get_by_label("Có hiệu lực từ").fill("2025-07-01")
    page.get_by_label("Đơn vị mới: mã").fill("99999")
    page.get_by_label("Đơn vị mới: tên").fill("Phường Hạc Thành Mới")
    page.get_by_label("Đơn vị mới: loại").select_option("ward")
    page.get_by_label("Lý do (ví dụ số nghị quyết)").fill("Nghị quyết 1686/NQ-UBTVQH15")
    assert axe(page) == []
    page.get_by_role("button", name="Hợp nhất").click()
    expect(page.locator("h1")).to_have_text("Phường Hạc Thành Mới")
    expect(page.get_by_role("status")).to_contain_text("Đã hợp nhất các đơn vị.")
    assert Unit.objects.get(code="14797").valid_to is not None
    page.screenshot(path=str(artifacts / "unit-directory.png"), full_page=True)
    for address, heading in [
        ("/can-bo/don-vi/99999/sua/", "Sửa thông tin đơn vị 99999"),
        ("/can-bo/don-vi/99999/chia-tach/", "Chia tách đơn vị: Phường Hạc Thành Mới"),
        ("/can-bo/don-vi/nhap-tep/", "Nhập đơn vị từ tệp"),
        ("/can-bo/thu-tuc/", "Danh mục thủ tục hành chính"),
        ("/can-bo/thu-tuc/nhap-tep/", "Nhập thủ tục hành chính từ tệp"),
    ]:
        page.goto(live_server.url + address)
        expect(page.locator("h1")).to_have_text(heading)
        assert axe(page) == [], address
    page.get_by_label("Tệp").set_input_files(
        files=[{"name": "tt.csv", "mimeType": "text/csv",
                "buffer": "code,name,field,level,unit_kinds\n1.1,Thủ tục,Hộ tịch,xa,ward\n".encode()}]
    )  # fmt: skip
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_role("alert")).to_contain_text("cấp 'xa' không hợp lệ")
    assert axe(page) == []
