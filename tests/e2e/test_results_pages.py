"""The published results in a real browser, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.results.services import campaign_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_reads_the_ranking_and_a_unit_page(
    live_server: Any, page: Any, artifacts: Path, axe: Any, computed_demo: Any
) -> None:
    campaign = computed_demo
    campaign_publish(campaign=campaign)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Kết quả", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Kết quả")
    expect(page.get_by_role("heading", name="Xã, phường")).to_be_visible()
    expect(
        page.get_by_role("img", name="Chỉ số từng yếu tố của toàn tỉnh, kèm khoảng tin cậy")
    ).to_be_visible()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "results-phone.png"))
    page.locator("table.ranking tbody th a").first.click()
    expect(page.get_by_role("link", name="← Tất cả kết quả")).to_be_visible()
    expect(page.locator("table caption").first).to_contain_text("so với toàn tỉnh")
    expect(
        page.get_by_role("img", name="Các yếu tố của cơ quan, đơn vị kèm khoảng tin cậy")
    ).to_be_visible()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "unit-result.png"), full_page=True)

    # With JavaScript, touching a chart redraws it in the browser: tooltips, links, picks.
    page.set_viewport_size({"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + "/ket-qua/")
    assert not [u for u in requests if "bundle" in u]  # nobody pays for Vega before touching
    ranking = page.locator("figure.ranking-chart [data-chart]").first
    ranking.scroll_into_view_if_needed()
    ranking.hover()
    expect(ranking).to_have_attribute("data-live", "yes", timeout=15_000)
    expect(
        ranking.get_by_role("img", name="Chỉ số chung của từng cơ quan, đơn vị kèm khoảng tin cậy")
    ).to_be_visible()
    first_unit = page.locator("table.ranking tbody th a").first.inner_text()
    first_line = ranking.locator("g.mark-rect path").first  # a unit's whole line, transparent
    first_line.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(first_unit)
    expect(tooltip).to_contain_text("Khoảng tin cậy (95%)")
    assert axe(page) == []  # the live drawing and its tooltip too
    page.screenshot(path=str(artifacts / "results-chart-live.png"))
    assert [u for u in requests if "bundle" in u and u.startswith(live_server.url)]
    assert all(u.startswith(live_server.url) for u in requests)  # no other host
    first_line.click()
    expect(page.get_by_role("link", name="← Tất cả kết quả")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(first_unit)
