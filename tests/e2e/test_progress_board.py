"""The progress board in a real browser: a coordinator, a unit manager, and the htmx refresh."""

from __future__ import annotations

import datetime as dt
import itertools
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
PASSWORD = "mat-khau-rat-dai-2026"
_keys = itertools.count()


def stored(campaign: Campaign, unit: Unit, at: dt.datetime, overall: int = 4) -> Response:
    return Response.objects.create(
        receipt=receipt_new(campaign.year), idempotency_key=f"e2e-{next(_keys)}",
        campaign=campaign, instrument=campaign.instrument, unit=unit, source="qr",
        collection_mode="desk_qr", submitted_at=at, answers={"tong_the": overall},
    )  # fmt: skip


@pytest.fixture
def province() -> dict[str, Any]:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=6), period_end=today + dt.timedelta(days=6),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root
    )
    commune = Unit.objects.create(code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root)  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=60)
    CampaignUnit.objects.create(campaign=campaign, unit=commune, quota=60)
    for d in range(1, 7):
        day = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=d), dt.time(9)))
        for i in range(5):
            stored(campaign, ward, day + dt.timedelta(minutes=40 * i))
            stored(campaign, commune, day + dt.timedelta(minutes=45 * i), overall=5 if d < 3 else 3)
    for name, role, unit in (
        ("dieuphoi", Role.COORDINATOR, None),
        ("lanhdao", Role.UNIT_MANAGER, ward),
    ):
        user = User.objects.create_user(name, password=PASSWORD)
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return {"campaign": campaign, "ward": ward, "commune": commune}


def test_a_coordinator_sees_the_board_refresh_itself_after_a_new_answer(
    live_server: Any, page: Any, axe: Any, settings: Any, province: dict[str, Any], sign_in: Any
) -> None:
    settings.HAILONG_PROGRESS_REFRESH_SECONDS = 3  # the board polls every 30 s in service
    sign_in(page, f"{live_server.url}/can-bo/dot-khao-sat/quay-nay/tien-do/", "dieuphoi")
    expect(page.locator("h1")).to_contain_text("Tiến độ thu thập phiếu", timeout=30_000)  # charts
    expect(page.get_by_test_id("accepted")).to_have_text("60")
    alerts = page.locator("ul.alerts")
    expect(alerts).to_contain_text("Xã Đông Tiến")  # its "Rất hài lòng" share jumped
    expect(page.get_by_role("img", name="Câu trả lời được chấp nhận theo ngày")).to_be_visible()
    expect(page.get_by_role("table", name="Số câu trả lời theo ngày")).to_be_visible()
    assert axe(page) == []
    days = page.locator("[data-chart]").filter(
        has=page.get_by_role("img", name="Câu trả lời được chấp nhận theo ngày")
    )
    days.hover()  # touched: redrawn in the browser
    expect(days).to_have_attribute("data-live", "yes", timeout=15_000)

    stored(province["campaign"], province["ward"], timezone.now())
    expect(page.get_by_test_id("accepted")).to_have_text("61", timeout=15_000)
    expect(page.locator("h1")).to_have_count(1)  # the body was swapped, not the whole page
    # the swapped-in charts are redrawn at once, as they were before the refresh
    expect(page.locator("[data-chart]:not([data-live='yes'])")).to_have_count(0, timeout=15_000)
    assert axe(page) == []


def test_a_unit_manager_sees_only_their_unit(
    live_server: Any, page: Any, axe: Any, province: dict[str, Any], sign_in: Any
) -> None:
    sign_in(page, f"{live_server.url}/can-bo/", "lanhdao")
    page.get_by_role("link", name="Tiến độ: Đánh giá tại quầy").click()
    expect(page.locator("h1")).to_contain_text("Tiến độ thu thập phiếu", timeout=30_000)  # charts
    expect(page.get_by_test_id("accepted")).to_have_text("30")
    expect(page.get_by_role("rowheader", name="Phường Hạc Thành")).to_be_visible()
    expect(page.get_by_text("Xã Đông Tiến")).to_have_count(0)
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về dạng Excel (XLSX)").click()
    assert download.value.suggested_filename.startswith("tien-do-quay-nay-")
