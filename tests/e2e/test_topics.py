"""A unit manager reads what people wrote, in a real browser checked by axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.demo.services import DATA
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_manager_reads_the_board_and_searches(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=150), period_end=today + dt.timedelta(days=5),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root
    )
    other = Unit.objects.create(
        code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root
    )
    comments = yaml.safe_load((DATA / "comments.yaml").read_text(encoding="utf-8"))
    texts = [t for tone in ("praise", "complaint", "suggestion") for t in comments[tone][:12]]
    texts.append("<script>alert('x')</script> Phải chờ lâu quá, gọi chị Lan 0912 345 678")
    for unit in (ward, other):
        CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=50)
    for i, text in enumerate(texts):
        Response.objects.create(
            receipt=receipt_new(today.year), idempotency_key=f"e2e-{i}", campaign=campaign,
            instrument=campaign.instrument, unit=ward, source="kiosk", collection_mode="kiosk",
            submitted_at=timezone.now() - dt.timedelta(days=(i * 4) % 140),
            answers={"tong_the": 4, "y_kien": text},
        )  # fmt: skip
    Response.objects.create(
        receipt=receipt_new(today.year), idempotency_key="e2e-other", campaign=campaign,
        instrument=campaign.instrument, unit=other, source="kiosk", collection_mode="kiosk",
        submitted_at=timezone.now(), answers={"tong_the": 2, "y_kien": "Xã bên cạnh trả kết quả trễ hẹn"},
    )  # fmt: skip
    user = User.objects.create_user("truongphong", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.UNIT_MANAGER, unit=ward)

    sign_in(page, f"{live_server.url}/can-bo/", "truongphong")
    page.get_by_role("link", name="Người dân đã viết gì").click()
    page.get_by_role("link", name="Đánh giá tại quầy").click()
    expect(page.locator("h1")).to_contain_text("Đánh giá tại quầy")
    expect(page.get_by_role("img", name="Số ý kiến theo yếu tố và giọng điệu")).to_be_visible()
    expect(page.get_by_role("table", name="Số ý kiến theo yếu tố và giọng điệu")).to_be_visible()
    assert "Xã bên cạnh" not in page.content()
    assert axe(page) == []
    page.locator("summary", has_text="Tiếp cận dịch vụ").click()
    expect(page.get_by_text("<script>alert('x')</script>", exact=False).first).to_be_visible()
    # nothing runs from main: the only scripts there are the charts' JSON data
    assert (
        page.evaluate(
            """() => [...document.querySelectorAll('main script')]
                 .filter(s => s.type !== 'application/json').length"""
        )
        == 0
    )
    page.screenshot(path=str(artifacts / "topics-board.png"), full_page=True)

    page.get_by_role("link", name="Tiếp cận dịch vụ, Phàn nàn", exact=False).first.click()
    expect(page.locator("h1")).to_contain_text("Ý kiến")
    expect(page.get_by_text("chị [tên]", exact=False).first).to_be_visible()
    assert "0912 345 678" not in page.content()
    assert axe(page) == []

    page.get_by_label("Từ khóa", exact=False).fill("cho lau")
    page.get_by_label("Yếu tố").select_option("")
    page.get_by_label("Giọng điệu").select_option("")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("status")).to_contain_text("ý kiến")
    for cell in page.locator("td.text").all_inner_texts():
        assert "chờ lâu" in cell.lower()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải các ý kiến này (CSV)").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Xã bên cạnh" not in saved and "0912" not in saved
    page.screenshot(path=str(artifacts / "topics-list.png"), full_page=True)
