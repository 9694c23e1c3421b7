"""A coordinator reads the dashboards on the demo province in a real browser checked by axe-core."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_opens_the_overview_a_scorecard_and_a_drill_down(
    live_server: Any,
    page: Any,
    artifacts: Path,
    axe: Any,
    computed_demo: Any,
    sign_in: Any,
) -> None:
    campaign = computed_demo
    user = User.objects.create_user("dieuphoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)

    sign_in(page, f"{live_server.url}/can-bo/", "dieuphoi")
    page.get_by_role("link", name="Bảng điều khiển").click()
    expect(page.locator("h1")).to_have_text("Bảng điều khiển")
    assert axe(page) == []
    page.get_by_role("link", name=campaign.name).click()
    expect(page.locator("h1")).to_have_text(campaign.name)
    expect(page.get_by_text("chưa công bố", exact=True)).to_be_visible()
    expect(
        page.get_by_role("img", name="Chỉ số chung của từng cơ quan, đơn vị kèm khoảng tin cậy")
    ).to_be_visible()
    expect(
        page.get_by_role(
            "img", name="Chỉ số chung của tỉnh qua các năm so với Chỉ số SIPAS toàn quốc (%)"
        )
    ).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard-overview.png"))
    page.get_by_role(
        "heading", name="Các cơ quan, đơn vị theo chỉ số chung"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "dashboard-ranking.png"))
    assert axe(page) == []
    started = time.perf_counter()
    page.reload()  # charts now come from the cache
    print(f"overview reload: {time.perf_counter() - started:.2f} s")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV – Các cơ quan, đơn vị theo chỉ số chung").click()
    assert download.value.suggested_filename.endswith("xep-hang.csv")

    # touching a chart redraws it in the browser: a legend entry picks its series ...
    series = page.locator("[data-chart]").filter(has=page.locator("svg[aria-label*='SIPAS']"))
    series.hover()
    expect(series).to_have_attribute("data-live", "yes", timeout=15_000)
    series.locator("g.role-legend-label text").first.click()
    faded = series.locator("g.mark-line path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('opacity'))"
    )
    assert sorted(faded) == ["0.2", "1"]
    # ... and a unit's line in the ranking opens its scorecard, like the table's link
    first = page.locator("#c-xep-hang").locator("xpath=..").locator("tbody th a").first
    first_name = first.inner_text()
    ranking = page.locator("[data-chart]").filter(
        has=page.get_by_role("img", name="Chỉ số chung của từng cơ quan, đơn vị kèm khoảng tin cậy")
    )
    ranking.hover()
    expect(ranking).to_have_attribute("data-live", "yes", timeout=15_000)
    ranking.locator("g.mark-rect path").first.click()
    expect(page.get_by_role("heading", name="Ý kiến gần đây")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(first_name)
    page.screenshot(path=str(artifacts / "dashboard-unit.png"))
    page.get_by_role("heading", name="Ý kiến gần đây").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "dashboard-unit-comments.png"))
    assert axe(page) == []
    for name in (
        "Chỉ số hài lòng chung của cơ quan, đơn vị (%) theo thủ tục",
        "Chỉ số hài lòng chung của cơ quan, đơn vị (%) theo kênh",
    ):
        heading = page.get_by_role("heading", name=name, exact=True)
        expect(heading).to_be_visible()
        expect(page.get_by_role("table", name=name, exact=True)).to_be_attached()
    heading = page.get_by_role(
        "heading", name="Chỉ số hài lòng chung của cơ quan, đơn vị (%) theo kênh", exact=True
    )
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "dashboard-unit-channels.png"))

    page.get_by_role("link", name="← Tổng quan đợt khảo sát").click()
    page.get_by_role("link", name="Lĩnh vực", exact=True).click()
    expect(page.locator("h1")).to_have_text("Phân tích chi tiết: Lĩnh vực")
    page.screenshot(path=str(artifacts / "dashboard-field.png"))
    assert axe(page) == []
