"""The open data page and its data dictionary in a real browser, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.services import campaign_compute, campaign_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_finds_the_open_data_and_its_dictionary(
    live_server: Any, page: Any, artifacts: Path, axe: Any, settings: Any, tmp_path: Path
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_OPEN_DATA_DIR = tmp_path / "opendata"
    page.goto(live_server.url + "/du-lieu-mo/")
    expect(page.locator("main")).to_contain_text("Chưa có kết quả nào được công bố")
    assert axe(page) == []

    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    answers_load(campaign=campaign, total=1500, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    campaign_publish(campaign=campaign)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Dữ liệu mở", exact=True).click()
    expect(page.locator("h1")).to_have_text("Dữ liệu mở")
    expect(page.locator("table caption").first).to_contain_text("Các tệp để tải về")
    expect(page.locator("footer")).to_contain_text("Hôm nay")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "open-data.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV – Bảng chỉ số").click()
    assert download.value.suggested_filename.endswith("-chi-so.csv")
    page.get_by_role("link", name="Từ điển dữ liệu").first.click()
    expect(page.locator("h1")).to_contain_text("Từ điển dữ liệu")
    assert axe(page) == []
