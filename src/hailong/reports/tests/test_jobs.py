"""Report jobs: claimed once, progress recorded, failures in words, reuse, scope per role."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import subprocess
import threading
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign
from hailong.demo.services import answers_load
from hailong.reports.models import ReportJob
from hailong.reports.runner import (
    GAVE_UP,
    MAX_ATTEMPTS,
    NO_RESULTS,
    REQUEUED,
    ProgressWriter,
    job_claim,
    job_run,
    jobs_work,
)
from hailong.reports.services import job_request, reports_dir
from hailong.results.models import Computation
from hailong.results.services import campaign_compute
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)
PAGE = "/can-bo/bao-cao/"


def signed_in(role: str, unit: Unit | None = None, name: str = "") -> Client:
    user = User.objects.create_user(name or f"u-{role}", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "got.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_two_workers_never_take_the_same_job(campaign: Campaign) -> None:
    for i in range(40):  # 40 different figures: identical active jobs cannot exist
        ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF, digest=f"{i}")
    taken: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            start.wait()
            while (job := job_claim(worker=name)) is not None:
                taken[name].append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = set(taken["a"]), set(taken["b"])
    assert not a & b
    assert len(a) + len(b) == len(taken["a"]) + len(taken["b"]) == 40  # each claimed exactly once
    assert set(ReportJob.objects.values_list("status", flat=True)) == {"running"}
    assert {j.worker for j in ReportJob.objects.all()} == {"a", "b"} or len(a) == 0 or len(b) == 0
    assert all(j.attempts == 1 for j in ReportJob.objects.all())


def test_the_report_job_moves_on_and_downloads_with_the_national_header(
    computation: Computation, tmp_path: Path
) -> None:
    job, new = job_request(campaign=computation.campaign, kind=ReportJob.Kind.REPORT_PDF)
    assert new and job.status == "queued" and job.digest == computation.digest
    claimed = job_claim(worker="test")
    assert claimed is not None and claimed.pk == job.pk
    seen: list[tuple[int, str]] = []
    runner = threading.Thread(target=lambda: (job_run(claimed), connection.close()))
    runner.start()
    while runner.is_alive():
        row = ReportJob.objects.values_list("percent", "message").get(pk=job.pk)
        if not seen or seen[-1] != row:
            seen.append(row)
        runner.join(0.05)
    job.refresh_from_db()
    assert job.status == "done" and job.percent == 100 and job.error == ""
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and len({m for _, m in seen}) >= 3, seen
    assert job.size == (reports_dir() / job.file).stat().st_size
    assert not list(reports_dir().rglob("*.tmp"))

    client = signed_in(Role.COORDINATOR)
    page = client.get(PAGE).content.decode()
    assert f"/can-bo/bao-cao/viec/{job.pk}/tai-ve/" in page
    got = client.get(f"/can-bo/bao-cao/viec/{job.pk}/tai-ve/")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    disposition = got["Content-Disposition"]
    assert 'filename="bao-cao-ket-qua-khao-sat-' in disposition
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name == f"Báo cáo kết quả khảo sát {computation.campaign.code}.pdf"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text(body(got), tmp_path)

    # asking again while the figures are unchanged gives the same file
    again, new = job_request(campaign=computation.campaign, kind=ReportJob.Kind.REPORT_PDF)
    assert again.pk == job.pk and not new

    workbook, _ = job_request(campaign=computation.campaign, kind=ReportJob.Kind.WORKBOOK_XLSX)
    call_command("report", worker=True, once=True)
    got = client.get(f"/can-bo/bao-cao/viec/{workbook.pk}/tai-ve/")
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(body(got)), read_only=True)
    assert "Tổng hợp" in book.sheetnames and "Xếp hạng" in book.sheetnames


def test_a_campaign_without_results_gives_a_job_that_fails_in_words(campaign: Campaign) -> None:
    job, _ = job_request(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
    assert job.computation is None
    assert jobs_work(worker="test") == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error == NO_RESULTS and job.finished_at is not None
    page = signed_in(Role.COORDINATOR).get(PAGE).content.decode()
    assert "Đợt khảo sát chưa có kết quả" in page  # the Vietnamese of NO_RESULTS
    assert (
        signed_in(Role.ADMINISTRATOR, name="qt")
        .get(f"/can-bo/bao-cao/viec/{job.pk}/tai-ve/")
        .status_code
        == 404
    )


def test_a_campaign_without_answers_still_gives_every_document(
    campaign: Campaign, tmp_path: Path
) -> None:
    computation = campaign_compute(campaign=campaign)
    assert computation.n_answers == 0
    unit = campaign.scope.first().unit  # type: ignore[union-attr]
    jobs = [
        job_request(campaign=campaign, kind=k)[0]
        for k in ReportJob.Kind.values
        if k != ReportJob.Kind.SCORECARD_PDF
    ]
    jobs.append(job_request(campaign=campaign, kind=ReportJob.Kind.SCORECARD_PDF, unit=unit)[0])
    assert jobs_work(worker="test") == len(jobs) == 5
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "done", (job.kind, job.detail)
    content = {j.kind: (reports_dir() / j.file).read_bytes() for j in jobs}
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text(content["report_pdf"], tmp_path)
    assert "chưa đủ số phiếu" in pdf_text(content["scorecard_pdf"], tmp_path)
    names = zipfile.ZipFile(io.BytesIO(content["scorecards_zip"])).namelist()
    assert names == ["KHONG-CO-DON-VI.txt"]


def test_new_figures_make_a_new_document_and_stuck_jobs_are_taken_over(
    campaign: Campaign,
) -> None:
    campaign_compute(campaign=campaign)
    job, _ = job_request(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)
    same, new = job_request(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)
    assert same.pk == job.pk and not new  # queued: reused
    jobs_work(worker="test")
    campaign_compute(campaign=campaign)  # computed again, the same figures: the file is reused
    same, new = job_request(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)
    assert same.pk == job.pk and not new and same.status == "done"
    ReportJob.objects.filter(pk=job.pk).update(digest="0" * 64)  # made from other figures
    fresh, new = job_request(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)
    assert new and fresh.pk != job.pk

    # a worker died while making it: after the timeout another worker takes it over
    claimed = job_claim(worker="dead")
    assert claimed is not None and claimed.pk == fresh.pk
    old = timezone.now() - dt.timedelta(hours=1)
    ReportJob.objects.filter(pk=fresh.pk).update(updated_at=old)
    again = job_claim(worker="alive")
    assert again is not None and again.pk == fresh.pk and again.attempts == 2
    ReportJob.objects.filter(pk=fresh.pk).update(updated_at=old, attempts=MAX_ATTEMPTS)
    assert job_claim(worker="third") is None
    fresh.refresh_from_db()
    assert fresh.status == "failed" and fresh.error == GAVE_UP
    assert REQUEUED  # the words a re-queued job shows


def test_roles_and_unit_scope(campaign: Campaign) -> None:
    computation = campaign_compute(campaign=campaign)
    units = list(Unit.objects.filter(campaignunit__campaign=campaign).order_by("code")[:2])
    mine, other = units
    manager = signed_in(Role.UNIT_MANAGER, mine, "quanly")
    viewer = signed_in(Role.VIEWER, mine, "xem")
    clerk = signed_in(Role.CLERK, None, "nhaplieu")

    for refused in (clerk,):
        assert refused.get(PAGE).status_code == 403
        assert refused.get(PAGE + "viec/").status_code == 403
    for whole in (Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR):
        page = signed_in(whole, None, f"w-{whole}").get(PAGE).content.decode()
        assert 'value="report_pdf"' in page and 'value="scorecards_zip"' in page
        assert f'value="{other.code}"' in page

    page = manager.get(PAGE).content.decode()
    assert f'value="{mine.code}"' in page and f'value="{other.code}"' not in page
    assert 'value="report_pdf"' not in page  # not published yet
    post = {"dot": campaign.code, "loai": "report_pdf"}
    refused = manager.post(PAGE, post, follow=True).content.decode()
    assert "Ông/Bà không được yêu cầu tài liệu này." in refused
    assert not ReportJob.objects.exists()
    manager.post(PAGE, {"dot": campaign.code, "loai": "scorecard_pdf", "don_vi": other.code})
    assert not ReportJob.objects.exists()
    manager.post(PAGE, {"dot": campaign.code, "loai": "scorecard_pdf", "don_vi": mine.code})
    own = ReportJob.objects.get()
    assert own.unit == mine and own.kind == "scorecard_pdf"

    coordinator = signed_in(Role.COORDINATOR, None, "dieuphoi")
    coordinator.post(PAGE, {"dot": campaign.code, "loai": "scorecard_pdf", "don_vi": other.code})
    coordinator.post(PAGE, post)
    jobs_work(worker="test")
    theirs = ReportJob.objects.get(unit=other)
    report = ReportJob.objects.get(kind="report_pdf")
    assert manager.get(f"{PAGE}viec/{own.pk}/tai-ve/").status_code == 200
    assert viewer.get(f"{PAGE}viec/{own.pk}/tai-ve/").status_code == 200
    for job in (theirs, report):
        assert manager.get(f"{PAGE}viec/{job.pk}/tai-ve/").status_code == 403
        assert viewer.get(f"{PAGE}viec/{job.pk}/tai-ve/").status_code == 403
    assert clerk.get(f"{PAGE}viec/{own.pk}/tai-ve/").status_code == 403
    jobs = manager.get(PAGE + "viec/").content.decode()
    assert f"viec-{own.pk}" in jobs and f"viec-{theirs.pk}" not in jobs

    Computation.objects.filter(pk=computation.pk).update(published_at=timezone.now())
    assert manager.get(f"{PAGE}viec/{report.pk}/tai-ve/").status_code == 200
    assert 'value="report_pdf"' in manager.get(PAGE).content.decode()
    assert 'value="scorecards_zip"' not in manager.get(PAGE).content.decode()


def test_the_staff_home_lists_the_page_for_readers_only() -> None:
    assert PAGE in signed_in(Role.VIEWER, None, "a").get("/can-bo/").content.decode()
    assert PAGE not in signed_in(Role.CLERK, None, "b").get("/can-bo/").content.decode()


def test_the_zip_holds_one_scorecard_per_unit(campaign: Campaign, tmp_path: Path) -> None:
    keep = list(campaign.scope.order_by("unit__code").values_list("pk", flat=True)[:4])
    campaign.scope.exclude(pk__in=keep).delete()
    answers_load(campaign=campaign, total=200, progress=lambda n: None)
    computation = campaign_compute(campaign=campaign)
    units = Unit.objects.filter(
        indexrow__computation=computation, indexrow__grouping="unit"
    ).distinct()
    assert 1 <= units.count() <= 4
    job, _ = job_request(campaign=campaign, kind=ReportJob.Kind.SCORECARDS_ZIP)
    jobs_work(worker="test")
    job.refresh_from_db()
    assert job.status == "done" and job.percent == 100
    archive = zipfile.ZipFile(reports_dir() / job.file)
    assert sorted(archive.namelist()) == sorted(f"{u.code} {u.name}.pdf" for u in units)
    for unit in units:
        text = pdf_text(archive.read(f"{unit.code} {unit.name}.pdf"), tmp_path)
        assert unit.name in text and text.count("\f") == 1


def test_progress_is_written_at_most_twice_a_second_per_step(
    campaign: Campaign, django_assert_max_num_queries: Any
) -> None:
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
    job = job_claim(worker="test")
    assert job is not None
    progress = ProgressWriter(job)
    with django_assert_max_num_queries(3):
        for percent in range(0, 50):
            progress(percent, "scorecards")  # one write, then throttled
        progress(60, "typesetting")  # a new step is always written
    assert ReportJob.objects.values_list("percent", "message").get(pk=job.pk) == (
        60,
        "Typesetting the PDF (the longest step)",
    )


def test_a_scorecard_of_a_unit_outside_the_campaign_is_refused(campaign: Campaign) -> None:
    campaign_compute(campaign=campaign)
    outside = Unit.objects.exclude(campaignunit__campaign=campaign).first()
    assert outside is not None  # the province itself is not surveyed
    client = signed_in(Role.COORDINATOR)
    post = {"dot": campaign.code, "loai": "scorecard_pdf", "don_vi": outside.code}
    page = client.post(PAGE, post, follow=True).content.decode()
    assert "Hãy chọn cơ quan, đơn vị cần tạo phiếu điểm." in page
    assert not ReportJob.objects.exists()


def test_asking_for_a_document_is_written_to_the_audit_log(campaign: Campaign) -> None:
    """Who asked for which document of which campaign; asking again for the same is no entry."""
    from hailong.audit.models import AuditEntry

    computation = campaign_compute(campaign=campaign)
    unit = Unit.objects.filter(campaignunit__campaign=campaign).order_by("code").first()
    assert unit is not None
    coordinator = signed_in(Role.COORDINATOR, None, "dieuphoi")
    coordinator.post(PAGE, {"dot": campaign.code, "loai": "workbook_xlsx"})
    coordinator.post(PAGE, {"dot": campaign.code, "loai": "workbook_xlsx"})  # the same job
    manager = signed_in(Role.UNIT_MANAGER, unit, "quanly")
    manager.post(PAGE, {"dot": campaign.code, "loai": "scorecard_pdf", "don_vi": unit.code})
    entries = list(AuditEntry.objects.filter(action="report.request").order_by("seq"))
    assert [e.actor_label for e in entries] == ["dieuphoi", "quanly"]
    workbook, scorecard = entries
    job = ReportJob.objects.get(kind="workbook_xlsx")
    assert workbook.object_type == "reports.reportjob" and workbook.object_id == str(job.pk)
    assert workbook.unit_id is None  # a province-wide document
    assert workbook.data["campaign"] == campaign.code and workbook.data["kind"] == "workbook_xlsx"
    assert workbook.data["computation"] == computation.pk
    assert scorecard.unit_id == unit.pk and scorecard.data["unit"] == unit.code


def test_the_database_holds_at_most_one_identical_active_job(campaign: Campaign) -> None:
    """A NULL unit counts as equal, and finished jobs do not count."""
    from django.db import IntegrityError, transaction

    first = ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.WORKBOOK_XLSX)
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF, digest="other")
    ReportJob.objects.filter(pk=first.pk).update(status=ReportJob.Status.DONE)
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)  # again allowed
    unit = Unit.objects.filter(campaignunit__campaign=campaign).first()
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.SCORECARD_PDF, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.SCORECARD_PDF, unit=unit)


def test_two_identical_requests_at_the_same_moment_make_one_job(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests look for an active job before either has inserted one: one job, reused."""
    import hailong.reports.services as services

    campaign_compute(campaign=campaign)
    together = threading.Barrier(2, timeout=3)
    looked_up = services.computation_for_report

    def meet_then_look_up(**kwargs: Any) -> Any:
        # PostgreSQL: both meet here, then both find no job and both insert. SQLite: the other
        # waits for our write lock (BEGIN IMMEDIATE) and never comes; we go on after 3 s.
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait()
        return looked_up(**kwargs)

    monkeypatch.setattr(services, "computation_for_report", meet_then_look_up)
    got: dict[str, tuple[int, bool]] = {}
    failed: list[BaseException] = []

    def ask(name: str) -> None:
        try:
            job, new = job_request(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
            got[name] = (job.pk, new)
        except BaseException as exc:
            failed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failed, failed
    assert ReportJob.objects.count() == 1
    assert {pk for pk, _ in got.values()} == {ReportJob.objects.get().pk}
    assert sorted(new for _, new in got.values()) == [False, True]


def test_files_of_old_finished_jobs_are_removed_and_the_jobs_say_so(
    campaign: Campaign, settings: Any
) -> None:
    """Past HAILONG_REPORT_RETENTION_DAYS the worker (or the command) removes the file only."""
    import hailong.reports.runner as runner

    computation = campaign_compute(campaign=campaign)
    settings.HAILONG_REPORT_RETENTION_DAYS = 30
    now = timezone.now()
    folder = reports_dir() / campaign.code
    folder.mkdir(parents=True, exist_ok=True)

    def finished(kind: str, days: int, status: str = ReportJob.Status.DONE) -> ReportJob:
        name = f"{campaign.code}/{kind}-{days}.bin"
        (reports_dir() / name).write_bytes(b"x" * 10)
        return ReportJob.objects.create(
            campaign=campaign, computation=computation, digest=computation.digest, kind=kind,
            status=status, file=name, size=10, finished_at=now - dt.timedelta(days=days),
        )  # fmt: skip

    old = finished(ReportJob.Kind.REPORT_PDF, 31)
    recent = finished(ReportJob.Kind.WORKBOOK_XLSX, 29)
    ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)  # queued: no file
    call_command("report", remove_old_files=True)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.file == "" and old.file_removed_at is not None and old.status == "done"
    assert not (folder / "report_pdf-31.bin").exists()
    assert recent.file and (reports_dir() / recent.file).is_file() and not recent.file_removed_at

    client = signed_in(Role.COORDINATOR)
    page = client.get(PAGE).content.decode()
    assert "Tệp đã được xóa ngày" in page
    assert f"/can-bo/bao-cao/viec/{old.pk}/tai-ve/" not in page
    assert client.get(f"/can-bo/bao-cao/viec/{old.pk}/tai-ve/").status_code == 404
    again, new = job_request(campaign=campaign, kind=ReportJob.Kind.REPORT_PDF)
    assert new and again.pk != old.pk  # asking again makes the document again
    again.delete()

    # the worker removes them too, when it runs (at most every REMOVE_EVERY seconds)
    ReportJob.objects.filter(pk=recent.pk).update(finished_at=now - dt.timedelta(days=40))
    runner._removed_at = 0.0
    jobs_work(worker="test")
    recent.refresh_from_db()
    assert recent.file == "" and recent.file_removed_at is not None
    assert not list(folder.glob("*.bin"))


def test_identical_active_jobs_made_before_the_constraint_are_settled(campaign: Campaign) -> None:
    """Migration 0002 keeps the running job (else the oldest) and fails the others in words."""
    import importlib

    from django.apps import apps

    from hailong.reports.runner import TWICE

    migration = importlib.import_module("hailong.reports.migrations.0002_job_active_once")
    constraint = next(c for c in ReportJob._meta.constraints if c.name == "report_job_active_once")
    with connection.schema_editor() as editor:
        editor.remove_constraint(ReportJob, constraint)
    try:
        pdf = {"campaign": campaign, "kind": ReportJob.Kind.REPORT_PDF}
        first = ReportJob.objects.create(**pdf)
        running = ReportJob.objects.create(**pdf, status=ReportJob.Status.RUNNING)
        third = ReportJob.objects.create(**pdf)
        other = ReportJob.objects.create(campaign=campaign, kind=ReportJob.Kind.PAR_XLSX)
        migration.duplicates_settle(apps, None)
    finally:
        with connection.schema_editor() as editor:
            editor.add_constraint(ReportJob, constraint)  # fails if any identical pair is left
    jobs = {j.pk: j for j in ReportJob.objects.all()}
    assert jobs[running.pk].status == "running" and jobs[other.pk].status == "queued"
    for pk in (first.pk, third.pk):
        assert jobs[pk].status == "failed" and jobs[pk].error == TWICE and jobs[pk].finished_at
