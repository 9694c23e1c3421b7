"""A coordinator asks for the official report, watches it being made and downloads it."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.reports.models import ReportJob
from hailong.reports.runner import ProgressWriter, job_claim, job_run
from hailong.results.services import campaign_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_makes_the_report_and_downloads_it(
    live_server: Any,
    page: Any,
    axe: Any,
    settings: Any,
    tmp_path: Path,
    sign_in: Any,
    monkeypatch: Any,
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_REPORTS_DIR = tmp_path / "reports"
    # the test plays the worker, so that it can hold the job at a step until the page has
    # shown that step (a small report is made faster than the page polls)
    settings.HAILONG_REPORT_WORKER = "none"
    shown = threading.Event()
    real = ProgressWriter.__call__

    def held(self: ProgressWriter, percent: int, step: str) -> None:
        real(self, percent, step)
        if 0 < percent < 100:
            shown.wait(120)

    monkeypatch.setattr(ProgressWriter, "__call__", held)
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
    expect(page.get_by_text("Đang chờ", exact=False).first).to_be_visible()
    claimed = job_claim(worker="test")
    assert claimed is not None
    from django.db import connection

    def work() -> None:
        try:
            job_run(claimed)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
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
            if not checked and not done and 0 < value < 100:  # the page while the job runs
                expect(page.get_by_role("status")).to_contain_text("Tài liệu đang được tạo")
                assert axe(page) == []
                checked = True
                shown.set()  # let the job go on
        if done:
            break
        page.wait_for_timeout(100)
    shown.set()
    worker.join(timeout=120)
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
