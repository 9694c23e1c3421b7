"""The charts read on a 360 px phone: every word and number drawn in a chart shows at least
12 CSS px tall (a chart wider than the screen scrolls inside its own named, focusable frame,
never shrinking, and the frame stays on the screen); on a desktop the ranking's lines
are far enough apart for Vietnamese stacked marks ("Ẩ", "ặ") not to touch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.results.services import campaign_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SMALLEST = 11.9  # CSS px: the font size of the text in a chart as displayed
LINE = 1.4  # the ranking's row height over its labels' font size

# every text of every chart on the page: the font size it shows at (font size in the drawing
# times the drawing's scale on screen), and the pitch of the labels on the left (a line each)
MEASURE = """() => [...document.querySelectorAll("main svg.chart")].map((svg) => {
  const shown = (t) => { const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); };
  const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
  const sizes = texts.map(shown);
  const left = [...svg.querySelectorAll("g.role-axis-label text[text-anchor=end]")];
  const labels = left.map((t) => t.getBoundingClientRect()).filter((r) => r.height > 0);
  const ys = labels.map((r) => r.top + r.height / 2).sort((a, b) => a - b);
  const gaps = ys.slice(1).map((y, i) => y - ys[i]).filter((g) => g > 0.5);
  const region = svg.closest("[role=group][tabindex]");
  return {
    name: svg.getAttribute("aria-label"),
    smallest: Math.min(...sizes),
    text: texts[sizes.indexOf(Math.min(...sizes))]?.textContent,
    pitch: gaps.length ? Math.min(...gaps) : null,
    label: left.length ? Math.max(...left.map(shown)) : null,
    region: region ? {name: region.getAttribute("aria-label"), tabindex: region.tabIndex,
                      scrolls: region.scrollWidth > region.clientWidth,
                      right: region.getBoundingClientRect().right} : null,
  };
})"""


def _check(page: Any, axe: Any, path: str, *, phone: bool) -> list[dict[str, Any]]:
    charts = page.evaluate(MEASURE)
    assert charts, f"{path}: no chart"
    for chart in charts:
        print(path, "phone" if phone else "desktop", chart)
        if phone:
            assert chart["smallest"] >= SMALLEST, (path, chart)
            assert chart["region"] and chart["region"]["name"], (path, chart)
            assert chart["region"]["tabindex"] == 0, (path, chart)
            # the chart scrolls inside its region, which stays on the screen
            assert chart["region"]["right"] <= PHONE["width"], (path, chart)
        if chart["pitch"] is not None and chart["label"] is not None:
            assert chart["pitch"] >= LINE * chart["label"] - 0.01, (path, chart)
    assert axe(page) == [], path
    return charts


def test_every_chart_reads_on_a_phone_and_its_lines_never_touch(
    live_server: Any,
    page: Any,
    axe: Any,
    artifacts: Path,
    computed_demo: Any,
    sign_in: Any,
) -> None:
    campaign = computed_demo
    campaign_publish(campaign=campaign)
    user = User.objects.create_user("dieuphoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    base = live_server.url

    page.set_viewport_size(PHONE)
    page.goto(base + "/ket-qua/")
    unit = page.locator("table.ranking tbody tr:not(.unranked) th a").first.get_attribute("href")
    sign_in(page, f"{base}/can-bo/bang-dieu-khien/{campaign.code}/", "dieuphoi")
    expect(page.locator("h1")).to_have_text(campaign.name)
    drill = page.locator("main a[href*='/phan-tich/']").first.get_attribute("href")
    scorecard = page.locator("main a[href*='/don-vi/']").first.get_attribute("href")
    pages = ["/ket-qua/", unit, f"/can-bo/bang-dieu-khien/{campaign.code}/", scorecard, drill]
    for viewport, phone in ((PHONE, True), (DESKTOP, False)):
        page.set_viewport_size(viewport)
        for path in pages:
            page.goto(base + path)
            _check(page, axe, path, phone=phone)
    page.set_viewport_size(PHONE)
    page.goto(base + "/ket-qua/")
    ranking = page.locator("figure.ranking-chart [role=group]").first
    ranking.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "chart-ranking-phone.png"))
    ranking.focus()  # a chart wider than the screen scrolls from the keyboard too
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(r) => r.scrollLeft > 0", arg=ranking.element_handle())
