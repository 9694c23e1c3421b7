"""The worker that makes queued documents: claim one job, make it, record progress, repeat.

Any number of workers may run — a daemon thread in each web process (started when a job is
queued) and ``hailong report --worker`` processes. A job is claimed by one conditional UPDATE
(``status = 'queued'``), which only one of them can win on SQLite (writes are serialised) and on
PostgreSQL (the loser re-reads the row after the winner commits and no longer matches). A
running job whose progress stops for ``HAILONG_REPORT_JOB_TIMEOUT`` seconds (its worker died) is
queued again, at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from hailong.core.text import strip_diacritics

from .models import ReportJob
from .services import reports_dir

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
THROTTLE_SECONDS = 0.5
IDLE_SECONDS = 30.0

# What a generator reports as its step, in words (msgids, translated where they are shown).
STEPS = {
    "reading": gettext_noop("Reading the stored figures"),
    "formatting": gettext_noop("Formatting the tables"),
    "charts": gettext_noop("Drawing the charts"),
    "typesetting": gettext_noop("Typesetting the PDF (the longest step)"),
    "scorecards": gettext_noop("Typesetting the scorecards, unit by unit"),
    "workbook": gettext_noop("Writing the workbook"),
    "saving": gettext_noop("Saving the file"),
    "done": gettext_noop("Done"),
}
STARTED = gettext_noop("Started")
REQUEUED = gettext_noop("Queued again: the worker making it stopped answering")
NO_RESULTS = gettext_noop(
    "This campaign has no results yet: compute the index first (hailong compute), then ask again."
)
GAVE_UP = gettext_noop(
    "Stopped after three attempts: each time the worker making it stopped answering."
)
UNEXPECTED = gettext_noop(
    "The document could not be made because of an unexpected error, written to the server log. "
    "Ask for it again; if it fails again, tell the administrator."
)
# Written by migration 0002 to identical active jobs made before at most one could be.
TWICE = gettext_noop(
    "Asked for twice at the same moment: the other, identical job makes this document."
)

SUFFIX = {
    ReportJob.Kind.REPORT_PDF: "pdf",
    ReportJob.Kind.WORKBOOK_XLSX: "xlsx",
    ReportJob.Kind.PAR_XLSX: "xlsx",
    ReportJob.Kind.SCORECARDS_ZIP: "zip",
    ReportJob.Kind.SCORECARD_PDF: "pdf",
}


class NoResults(Exception):
    pass


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:6]}"


def jobs_requeue_stuck(*, timeout: float | None = None) -> int:
    """Give a job whose worker went silent to another worker (or fail it after MAX_ATTEMPTS)."""
    seconds = timeout if timeout is not None else settings.HAILONG_REPORT_JOB_TIMEOUT
    limit = timezone.now() - dt.timedelta(seconds=seconds)
    stuck = ReportJob.objects.filter(status=ReportJob.Status.RUNNING, updated_at__lt=limit)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportJob.Status.FAILED, error=GAVE_UP, finished_at=timezone.now()
    )
    queued = stuck.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=ReportJob.Status.QUEUED, percent=0, message=REQUEUED, worker=""
    )
    return failed + queued


def job_claim(*, worker: str) -> ReportJob | None:
    """The oldest queued job, now running for ``worker``; None when nothing is queued."""
    jobs_requeue_stuck()
    while True:
        pk = (
            ReportJob.objects.filter(status=ReportJob.Status.QUEUED)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        now = timezone.now()
        won = ReportJob.objects.filter(pk=pk, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.RUNNING,
            worker=worker,
            started_at=now,
            updated_at=now,
            attempts=F("attempts") + 1,
            percent=0,
            message=STARTED,
        )
        if won:
            return ReportJob.objects.select_related("campaign", "computation", "unit").get(pk=pk)
        # another worker took it between the read and the update: try the next one


class ProgressWriter:
    """Writes percent and step to the job's row, at most every THROTTLE_SECONDS (step changes
    and 100 % always), so a generator may call it as often as it likes."""

    def __init__(self, job: ReportJob) -> None:
        self.job = job
        self.last = 0.0
        self.message = ""

    def __call__(self, percent: int, step: str) -> None:
        message = STEPS.get(step, step)
        now = time.monotonic()
        if message == self.message and percent < 100 and now - self.last < THROTTLE_SECONDS:
            return
        self.last, self.message = now, message
        ReportJob.objects.filter(
            pk=self.job.pk, status=ReportJob.Status.RUNNING, worker=self.job.worker
        ).update(percent=max(0, min(int(percent), 99)), message=message, updated_at=timezone.now())


def _generate(job: ReportJob, progress: Callable[[int, str], None]) -> bytes:
    from .pdf import report_pdf, scorecard_pdf, scorecards_zip
    from .workbook import par_xlsx, workbook_xlsx

    computation = job.computation
    if computation is None:
        raise NoResults
    if job.kind == ReportJob.Kind.REPORT_PDF:
        return report_pdf(computation, progress=progress)
    if job.kind == ReportJob.Kind.SCORECARDS_ZIP:
        return scorecards_zip(computation, progress=progress)
    if job.kind == ReportJob.Kind.SCORECARD_PDF:
        if job.unit is None:
            raise NoResults
        progress(10, "typesetting")
        return scorecard_pdf(computation, job.unit)
    progress(10, "workbook")
    if job.kind == ReportJob.Kind.PAR_XLSX:
        return par_xlsx(computation)
    return workbook_xlsx(computation)


def file_write(job: ReportJob, content: bytes) -> str:
    """Write beside the final name and rename, so a reader never sees half a file."""
    folder = reports_dir() / slugify(strip_diacritics(job.campaign.code))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{job.kind}.{SUFFIX[ReportJob.Kind(job.kind)]}"
    temporary = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, folder / name)
    return str((folder / name).relative_to(reports_dir()))


def job_run(job: ReportJob) -> ReportJob:
    """Make the job's document; the job ends done or failed, with its reason in words."""
    progress = ProgressWriter(job)
    mine = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING, worker=job.worker)
    try:
        content = _generate(job, progress)
        progress(99, "saving")
        path = file_write(job, content)
    except NoResults:
        mine.update(status=ReportJob.Status.FAILED, error=NO_RESULTS, finished_at=timezone.now())
    except Exception as exc:
        log.exception("report job %s failed", job.pk)
        mine.update(
            status=ReportJob.Status.FAILED,
            error=UNEXPECTED,
            detail=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        finished = mine.update(
            status=ReportJob.Status.DONE,
            percent=100,
            message=STEPS["done"],
            file=path,
            size=len(content),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not finished:  # it was given to another worker meanwhile: theirs counts
            Path(reports_dir() / path).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def job_files_remove_old(*, now: dt.datetime | None = None) -> int:
    """Remove the files of jobs finished more than ``HAILONG_REPORT_RETENTION_DAYS`` ago.

    The rows stay, without a file and with ``file_removed_at``, so the jobs table still says
    who asked for what and that the file is gone; asking again makes the document again.
    Returns how many files were removed.
    """
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.HAILONG_REPORT_RETENTION_DAYS)
    folder = reports_dir().resolve()
    old = ReportJob.objects.filter(
        status__in=(ReportJob.Status.DONE, ReportJob.Status.FAILED), finished_at__lt=limit
    ).exclude(file="")
    removed = 0
    for pk, name in list(old.values_list("pk", "file")):
        path = (folder / name).resolve()
        if path.is_relative_to(folder):  # a row never names a file outside the folder, but
            path.unlink(missing_ok=True)  # a database edited by hand must not delete one
        if ReportJob.objects.filter(pk=pk, file=name).update(file="", file_removed_at=now):
            removed += 1
    if removed:
        log.info("removed %s report file(s) older than the retention", removed)
    return removed


_removed_at = 0.0  # time.monotonic() of this process's last removal of old files
REMOVE_EVERY = 600.0  # seconds


def _remove_old_files_now_and_then() -> None:
    global _removed_at
    if _removed_at and time.monotonic() - _removed_at < REMOVE_EVERY:
        return
    _removed_at = time.monotonic()
    try:
        job_files_remove_old()
    except OSError:  # a file that cannot be removed must not stop the documents being made
        log.exception("removing old report files")


def jobs_work(*, worker: str | None = None, stop: threading.Event | None = None) -> int:
    """Run queued jobs until none is left (or ``stop`` is set); how many were run.

    First, at most every ``REMOVE_EVERY`` seconds, the files past their retention are removed.
    """
    name = worker or worker_name()
    done = 0
    close_old_connections()
    _remove_old_files_now_and_then()
    while stop is None or not stop.is_set():
        close_old_connections()
        job = job_claim(worker=name)
        if job is None:
            break
        job_run(job)
        done += 1
    return done


def worker_loop(*, poll: float = 2.0, stop: threading.Event | None = None) -> None:
    """``hailong report --worker``: wait for jobs for ever (or until ``stop``)."""
    stop = stop or threading.Event()
    name = worker_name()
    while not stop.is_set():
        jobs_work(worker=name, stop=stop)
        stop.wait(poll)


_lock = threading.Lock()
_wake = threading.Event()
_thread: threading.Thread | None = None


def worker_kick() -> None:
    """Make sure this process has a worker thread (``HAILONG_REPORT_WORKER = "thread"``)."""
    global _thread
    if settings.HAILONG_REPORT_WORKER != "thread":
        return
    with _lock:
        _wake.set()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_thread_main, name="hailong-reports", daemon=True)
            _thread.start()


def _thread_main() -> None:
    global _thread
    try:
        while True:
            _wake.clear()
            try:
                jobs_work()
            except Exception:  # the database went away, say: retry when kicked or idle ends
                log.exception("report worker thread")
            connection.close()  # idle threads hold no connection (PostgreSQL counts them)
            if not _wake.wait(IDLE_SECONDS):
                with _lock:
                    if not _wake.is_set():
                        _thread = None
                        return
    finally:
        connection.close()
