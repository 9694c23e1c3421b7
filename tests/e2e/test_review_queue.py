"""A coordinator clears the review queue in a real browser checked by axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue() -> Response:
    """An open desk campaign of one ward, with one answer flagged as given too fast."""
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=5), period_end=today + dt.timedelta(days=5),
        status=Campaign.Status.OPEN, channels=["web", "paper"],
    )  # fmt: skip
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=50)
    return Response.objects.create(
        receipt=receipt_new(today.year), idempotency_key="t-1", campaign=campaign,
        instrument=campaign.instrument, unit=ward, source="kiosk", collection_mode="kiosk",
        submitted_at=timezone.now(), answers={"tong_the": 5}, flags=["too_fast"],
        review="flagged", fill_seconds=2,
    )  # fmt: skip


def test_a_coordinator_accepts_a_flagged_answer(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any, queue: Response
) -> None:
    flagged = queue
    user = User.objects.create_user("dieuphoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)

    sign_in(page, f"{live_server.url}/quan-tri/xet-duyet/", "dieuphoi")
    expect(page.locator("h1")).to_have_text("Câu trả lời chờ xét duyệt")
    expect(page.get_by_role("cell", name="trả lời quá nhanh để kịp đọc câu hỏi")).to_be_visible()
    assert axe(page) == []
    page.get_by_label(f"Chọn {flagged.receipt}").check()
    page.get_by_label("Lý do của quyết định (bắt buộc)").fill("Người cao tuổi nhờ cán bộ bấm giúp")
    page.get_by_role("button", name="Chấp nhận các câu trả lời đã chọn").click()
    expect(page.get_by_role("status")).to_contain_text("Đã quyết định 1 câu trả lời.")
    expect(page.get_by_text("Không có câu trả lời nào chờ xét duyệt.")).to_be_visible()
    assert Response.objects.get(pk=flagged.pk).review == "accepted"
    assert axe(page) == []


def test_an_auditor_reads_the_queue_and_a_batch_without_a_control_to_change_them(
    live_server: Any, page: Any, axe: Any, sign_in: Any, queue: Response
) -> None:
    """Issue #5 in the browser: the same figures, no checkbox, no button, and still accessible."""
    from hailong.entry.models import PaperBatch, PaperEntry

    flagged = queue
    campaign, ward = flagged.campaign, flagged.unit
    clerks = [User.objects.create_user(f"nhaplieu{i}", password="x" * 16) for i in (1, 2)]
    batch = PaperBatch.objects.create(campaign=campaign, unit=ward, number="07/2026",
                                      expected_sheets=3)  # fmt: skip
    for clerk, score in zip(clerks, (4, 5), strict=True):
        PaperEntry.objects.create(batch=batch, sheet_number=1, clerk=clerk,
                                  answers={"tong_the": score})  # fmt: skip
    user = User.objects.create_user("kiemtoan", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.AUDITOR, unit=None)

    sign_in(page, f"{live_server.url}/quan-tri/xet-duyet/", "kiemtoan")
    expect(page.locator("h1")).to_have_text("Câu trả lời chờ xét duyệt")
    expect(page.get_by_role("cell", name=flagged.receipt)).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Chấp nhận các câu trả lời đã chọn")).to_have_count(0)
    assert axe(page) == []

    page.goto(f"{live_server.url}/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/")
    expect(page.get_by_role("heading", name="Phiếu 1")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    assert axe(page) == []
    page.goto(f"{live_server.url}/quan-tri/nhap-lieu/lo/{batch.pk}/")
    expect(page.get_by_role("cell", name="nhaplieu1, nhaplieu2")).to_be_visible()
    expect(page.get_by_role("button", name="Đóng lô (không nhập thêm)")).to_have_count(0)
    expect(page.get_by_role("link", name="Nhập phiếu")).to_have_count(0)
    assert axe(page) == []
    assert Response.objects.get(pk=flagged.pk).review == "flagged"
