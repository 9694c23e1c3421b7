"""The feedback loop in chromium: a complaint from the thank-you page is answered by the unit
and read by the sender with the tracking code; an overdue case reaches the coordinators."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.cases.models import Case
from hailong.cases.services import case_submit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-rat-dai-2026"
LETTER = (
    "Kính gửi Ông/Bà,\nĐơn vị xin lỗi, đã trả kết quả và nhắc nhở cán bộ.\nLiên hệ: 0237 3852 111."
)


def test_a_complaint_from_the_thank_you_page_is_answered_and_read_by_its_code(
    live_server: Any, page: Any, axe: Any, sign_in: Any
) -> None:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=5), period_end=today + dt.timedelta(days=5),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=50)
    answer = Response.objects.create(
        receipt=receipt_new(today.year), idempotency_key="t-1", campaign=campaign,
        instrument=campaign.instrument, unit=ward, source="web", collection_mode="online",
        submitted_at=timezone.now(), answers={"tong_the": 2},
    )  # fmt: skip
    manager = User.objects.create_user("quanly", password=PASSWORD)
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=ward)

    page.goto(f"{live_server.url}/cam-on/{answer.receipt}/")
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị đến đơn vị này").click()
    expect(page.locator("h1")).to_have_text("Gửi phản ánh, kiến nghị")
    assert page.locator("#don_vi").input_value() == "14797"
    assert page.locator("#bien_nhan").input_value() == answer.receipt
    assert axe(page) == []
    page.get_by_label("Phản ánh (có việc chưa đúng, chưa tốt)").check()
    page.get_by_label("Nội dung phản ánh hoặc kiến nghị").fill(
        "Cán bộ hẹn trả kết quả nhưng trễ hẹn 3 ngày <b>không báo</b>"
    )
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator("h1")).to_have_text("Tra cứu phản ánh, kiến nghị")
    code = page.locator(".tracking-code").inner_text().strip()
    assert re.fullmatch(r"PA-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code)
    expect(page.locator(".case-text")).to_contain_text("<b>không báo</b>")  # shown as text
    assert axe(page) == []
    case = Case.objects.get(code=code)
    assert case.response == answer and case.status == "assigned"

    sign_in(page, f"{live_server.url}/can-bo/phan-anh/", "quanly")
    expect(page.locator("h1")).to_have_text("Phản ánh, kiến nghị")
    assert axe(page) == []
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Bắt đầu xử lý").click()
    expect(page.locator("#case-status")).to_contain_text("Đang xử lý")
    expect(page.get_by_label("Trả lời người gửi")).to_have_attribute("maxlength", "2000")
    page.get_by_label("Trả lời người gửi").fill(LETTER)
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("#case-status")).to_contain_text("Đã trả lời")
    assert axe(page) == []

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/gop-y/tra-cuu/")
    page.get_by_label("Mã tra cứu").fill(code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#case-status")).to_have_text("Đã trả lời")
    # the unit's letter as written: its paragraphs, and its own telephone number
    assert page.locator("#case-answer").inner_text().splitlines() == LETTER.splitlines()
    assert axe(page) == []
    # the sender's buttons post from this page (the code in its address is never sent away)
    page.get_by_role("button", name="Tôi đồng ý công khai").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu lựa chọn của Ông/Bà")
    assert Case.objects.get(code=code).sender_consent is True
    page.get_by_label("Lý do (phản ánh được chuyển lại cho đơn vị)").fill("Vẫn chưa nhận được")
    page.get_by_role("button", name="Đề nghị xử lý lại").click()
    expect(page.locator(".messages")).to_contain_text("Phản ánh đã được chuyển lại cho đơn vị")
    assert Case.objects.get(code=code).status == "in_progress"
    page.get_by_label("Mã tra cứu").fill("PA-0000-0000-Z")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#ma-error")).to_contain_text("Không có phản ánh nào với mã tra cứu này")
    page.goto(f"{live_server.url}/gop-y/cong-khai/")
    expect(page.get_by_text("Chưa có kết quả trả lời nào được công khai.")).to_be_visible()
    assert axe(page) == []


def test_an_overdue_case_is_escalated_to_the_coordinators(
    live_server: Any, page: Any, axe: Any, sign_in: Any
) -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    old = case_submit(
        unit=ward, kind="complaint", text="Chờ cả buổi không ai tiếp",
        now=timezone.now() - dt.timedelta(days=30),
    )  # fmt: skip
    fresh = case_submit(unit=ward, kind="suggestion", text="Nên có thêm ghế chờ")
    call_command("cases", "tick")
    coordinator = User.objects.create_user("dieuphoi", password=PASSWORD)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, unit=None)

    sign_in(page, f"{live_server.url}/can-bo/phan-anh/", "dieuphoi")
    first = page.locator("table").nth(1).locator("tbody tr").first
    expect(first).to_contain_text(old.code)
    expect(first).to_contain_text("đã chuyển điều phối viên")
    fresh_row = page.get_by_role("row", name=re.compile(re.escape(fresh.code)))
    expect(fresh_row).not_to_contain_text("quá hạn")
    assert axe(page) == []
    page.get_by_role("link", name=old.code).click()
    expect(page.get_by_role("cell", name="đã chuyển điều phối viên", exact=True)).to_be_visible()
    assert axe(page) == []

    page.goto(f"{live_server.url}/can-bo/phan-anh/")
    expect(page.get_by_text("Chưa nhập lịch nghỉ Tết")).to_be_visible()
    page.get_by_role("link", name="Ngày nghỉ lễ, Tết").click()
    expect(page.locator("h1")).to_have_text("Ngày nghỉ lễ, Tết")
    assert axe(page) == []
    today = timezone.localdate()
    year = today.year + 1 if (today.month, today.day) > (2, 20) else today.year
    page.get_by_label("Ngày", exact=True).fill(f"{year}-02-20")
    page.get_by_label("Tên (tiếng Việt)").fill("Nghỉ Tết Nguyên đán")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_text("Đã thêm ngày 20/02/")).to_be_visible()
    expect(page.get_by_text("Chưa nhập lịch nghỉ Tết")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("Nghỉ Tết Nguyên đán"))).to_be_visible()
    assert axe(page) == []
