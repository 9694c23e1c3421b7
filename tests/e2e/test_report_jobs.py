"""A coordinator asks for the official report, watches it being made and downloads it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.reports.models import ReportJob
from hailong.results.services import campaign_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_makes_the_report_and_downloads_it(
    live_server: Any, page: Any, axe: Any, settings: Any, tmp_path: Path, sign_in: Any
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_REPORTS_DIR = tmp_path / "reports"
    settings.HAILONG_REPORT_WORKER = "thread"  # the web process makes it, as on one machine
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=1500, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    user = User.objects.create_user("dieuphoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)

    sign_in(page, f"{live_server.url}/can-bo/bao-cao/", "dieuphoi")
    expect(page.locator("h1")).to_have_text("Báo cáo và tài liệu")
    expect(page.get_by_text("Chưa công bố: chỉ dùng nội bộ.")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Báo cáo chính thức (PDF)").click()
    bar = page.locator("progress")
    download = page.get_by_role("link", name="Tải về")
    seen: list[int] = []
    checked = False
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # htmx swaps the jobs table in every second
        done = download.count() > 0
        if bar.count():
            value = int(bar.first.get_attribute("value") or 0)
            if not seen or seen[-1] != value:
                seen.append(value)
            if not checked and not done:  # the page while the job runs
                expect(page.get_by_role("status")).to_contain_text("Tài liệu đang được tạo")
                assert axe(page) == []
                checked = True
        if done:
            break
        page.wait_for_timeout(100)
    expect(download).to_be_visible()
    assert checked, seen
    # the bar moved without a reload, through at least one step between 0 and 100
    assert seen == sorted(seen) and seen[-1] == 100 and any(0 < v < 100 for v in seen), seen
    expect(page.get_by_text("Đã xong · 100%")).to_be_visible()
    assert axe(page) == []

    with page.expect_download() as info:
        download.click()
    got = info.value
    assert got.suggested_filename == f"Báo cáo kết quả khảo sát {campaign.code}.pdf"
    path = tmp_path / "got.pdf"
    got.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert ReportJob.objects.get().status == "done"
