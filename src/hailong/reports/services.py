"""Asking for a document: a queued job, or the one already queued, running or made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from hailong.accounts.models import User
from hailong.audit.services import audit_record
from hailong.campaigns.models import Campaign
from hailong.units.models import Unit

from .models import ReportJob
from .selectors import computation_for_report


class JobRefused(Exception):
    """A request the page explains in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def reports_dir() -> Path:
    return Path(getattr(settings, "HAILONG_REPORTS_DIR", Path(settings.VAR_DIR) / "reports"))


@transaction.atomic
def job_request(
    *,
    campaign: Campaign,
    kind: str,
    unit: Unit | None = None,
    requested_by: User | None = None,
) -> tuple[ReportJob, bool]:
    """The job for this document and whether it is new.

    An identical job still queued or running is reused, and so is a finished file made from
    figures with the same digest: asking twice never makes the document twice.
    """
    if kind not in ReportJob.Kind.values:
        raise JobRefused(f"không có loại tài liệu '{kind}'", f"there is no document kind '{kind}'")
    if (kind == ReportJob.Kind.SCORECARD_PDF) != (unit is not None):
        raise JobRefused(
            "phiếu điểm cần chọn một cơ quan, đơn vị; các tài liệu khác thì không",
            "a scorecard needs one unit; the other documents take none",
        )
    computation = computation_for_report(campaign=campaign)
    digest = computation.digest if computation is not None else ""
    same = ReportJob.objects.filter(campaign=campaign, kind=kind, unit=unit, digest=digest)
    active = same.filter(status__in=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING))
    running = active.first()
    if running is not None:
        return running, False
    if computation is not None:
        # a file reused has at least a day left before the cleaner removes it (its link works)
        kept = timezone.now() - dt.timedelta(days=settings.HAILONG_REPORT_RETENTION_DAYS - 1)
        made_lately = same.filter(status=ReportJob.Status.DONE, finished_at__gte=kept)
        for made in made_lately.order_by("-finished_at")[:3]:  # not a file about to be removed
            if made.file and (reports_dir() / made.file).is_file():
                return made, False
    try:
        with transaction.atomic():  # a savepoint: the loser of a race carries on
            job = ReportJob.objects.create(
                campaign=campaign,
                computation=computation,
                digest=digest,
                kind=kind,
                unit=unit,
                requested_by=requested_by,
                message=gettext_noop("Waiting in the queue"),
            )
    except IntegrityError:
        # The same job was asked for at the same moment and committed first (PostgreSQL: our
        # insert waited for it on the unique index "report_job_active_once"); that one counts.
        winner = active.first()
        if winner is None:  # it has finished meanwhile: nothing left to reuse
            raise
        return winner, False
    # AUDIT: who asked for which document of which campaign (a reused job is not a new request).
    audit_record(
        action="report.request",
        actor=requested_by,
        obj=job,
        unit=unit,
        data={
            "campaign": campaign.code,
            "kind": kind,
            "unit": unit.code if unit is not None else None,
            "computation": computation.pk if computation is not None else None,
            "digest": digest,
        },
    )
    transaction.on_commit(_kick)
    return job, True


def _kick() -> None:
    from .runner import worker_kick

    worker_kick()
