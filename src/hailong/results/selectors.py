"""Reading stored index tables."""

from __future__ import annotations

from django.db.models import QuerySet

from hailong.campaigns.models import Campaign

from .models import Computation, IndexRow


def computation_latest(*, campaign: Campaign) -> Computation | None:
    return Computation.objects.filter(campaign=campaign).order_by("-computed_at").first()


def index_rows(
    *, computation: Computation, grouping: str, level: str | None = None
) -> QuerySet[IndexRow]:
    rows = computation.rows.filter(grouping=grouping)
    return rows.filter(level=level) if level else rows


def computation_published(*, campaign: Campaign) -> Computation | None:
    """The campaign's published results, or None: the public sees nothing else."""
    return (
        Computation.objects.filter(campaign=campaign, published_at__isnull=False)
        .order_by("-published_at")
        .first()
    )
