"""An auditor signs in, searches the log, checks the chain, in a real browser checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.services import audit_record
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_searches_and_verifies_the_log(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    auditor = User.objects.create_user("kiemtoan", password="mat-khau-rat-dai-2026", is_staff=True)
    RoleAssignment.objects.create(user=auditor, role=Role.AUDITOR, unit=None)
    for quota in (120, 95):
        audit_record(
            action="quota.change", actor=auditor, obj=ward, unit=ward,
            reason=f"Điều chỉnh chỉ tiêu còn {quota}", data={"quota": quota},
        )  # fmt: skip
    audit_record(action="results.publish", actor_label="hailong publish")

    sign_in(page, f"{live_server.url}/quan-tri/nhat-ky/", "kiemtoan")
    expect(page.locator("h1")).to_have_text("Nhật ký kiểm toán")
    expect(page.get_by_text("Tìm thấy 3 mục.")).to_be_visible()
    assert axe(page) == []

    page.get_by_label("Từ trong lý do").fill("còn 95")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_text("Tìm thấy 1 mục.")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_role("button", name="Kiểm tra chuỗi").click()
    expect(page.get_by_role("status")).to_contain_text("Chuỗi nguyên vẹn: đã kiểm tra 3 mục.")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "audit-log.png"), full_page=True)
