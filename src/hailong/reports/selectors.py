"""Reading what the reports are made from, who may have which document, and the report jobs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.results.models import Computation
from hailong.results.selectors import computation_latest, computation_published
from hailong.units.models import Unit

from .models import ReportJob

# Whole-province readers (with a role held over the whole province): every document.
WHOLE_ROLES: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR)
# Unit readers: scorecards of their units; province documents only once published.
UNIT_ROLES: tuple[str, ...] = (Role.UNIT_MANAGER, Role.VIEWER)
REPORT_ROLES = WHOLE_ROLES + UNIT_ROLES
PROVINCE_KINDS = frozenset(
    {
        ReportJob.Kind.REPORT_PDF,
        ReportJob.Kind.WORKBOOK_XLSX,
        ReportJob.Kind.PAR_XLSX,
        ReportJob.Kind.SCORECARDS_ZIP,
    }
)
# Already public once published: the report and the tables every unit's figures are in.
PUBLISHED_KINDS = frozenset(
    {ReportJob.Kind.REPORT_PDF, ReportJob.Kind.WORKBOOK_XLSX, ReportJob.Kind.PAR_XLSX}
)


def computation_for_report(*, campaign: Campaign) -> Computation | None:
    """The published computation if there is one (what the public saw), else the latest."""
    return computation_published(campaign=campaign) or computation_latest(campaign=campaign)


@dataclass(frozen=True)
class ReportAccess:
    """What one user may read: everything, or the units of their scope."""

    whole: bool
    units: QuerySet[Unit]

    @property
    def any(self) -> bool:
        return self.whole or self.units.exists()

    def may(self, *, kind: str, unit: Unit | None, computation: Computation | None) -> bool:
        if self.whole:
            return True
        if kind == ReportJob.Kind.SCORECARD_PDF:
            return unit is not None and self.units.filter(pk=unit.pk).exists()
        return (
            kind in PUBLISHED_KINDS
            and computation is not None
            and computation.published_at is not None
        )

    def may_job(self, job: ReportJob) -> bool:
        return self.may(kind=job.kind, unit=job.unit, computation=job.computation)


def report_access(*, user: User) -> ReportAccess:
    """Clerks and users without a reading role get nothing (``any`` is False).

    A whole-province role held over a unit subtree (rather than the province) reads like a
    unit role over that subtree.
    """
    whole = user.is_active and (
        user.is_superuser or user.roles.filter(role__in=WHOLE_ROLES, unit__isnull=True).exists()
    )
    return ReportAccess(whole=whole, units=units_in_scope(user=user, roles=REPORT_ROLES))


def campaigns_for_reports(*, access: ReportAccess) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("instrument").order_by("-year", "code")
    if access.whole:
        return campaigns
    return campaigns.filter(scope__unit__in=access.units).distinct()


def jobs_visible(
    *, access: ReportAccess, campaigns: QuerySet[Campaign], limit: int = 40
) -> list[ReportJob]:
    """The latest jobs of these campaigns that the user may download."""
    jobs = (
        ReportJob.objects.filter(campaign__in=campaigns)
        .select_related("campaign", "computation", "unit", "requested_by")
        .order_by("-created_at", "-pk")
    )
    if not access.whole:
        jobs = jobs.filter(
            Q(kind=ReportJob.Kind.SCORECARD_PDF, unit__in=access.units)
            | Q(kind__in=PUBLISHED_KINDS, computation__published_at__isnull=False)
        )
    return list(jobs[:limit])
