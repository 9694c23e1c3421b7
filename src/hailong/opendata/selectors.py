"""Reads: published campaigns with open data, and the visit figures of the footer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Sum

from hailong.campaigns.models import Campaign
from hailong.results.models import Computation

from .models import VisitDay

FIGURES_SECONDS = 60


def published_computations() -> list[Computation]:
    """The newest published computation of every campaign, newest campaign first."""
    latest: dict[int, Computation] = {}
    for computation in (
        Computation.objects.filter(published_at__isnull=False)
        .select_related("campaign", "instrument")
        .order_by("-published_at")
    ):
        latest.setdefault(computation.campaign_id, computation)
    return sorted(
        latest.values(),
        key=lambda c: (c.campaign.year, c.campaign.period_start or dt.date.min),
        reverse=True,
    )


def computation_public(*, campaign_code: str) -> Computation | None:
    """The campaign's published computation, or None (never an unpublished one)."""
    campaign = Campaign.objects.filter(code=campaign_code).first()
    if campaign is None:
        return None
    return (
        Computation.objects.filter(campaign=campaign, published_at__isnull=False)
        .select_related("campaign", "instrument")
        .order_by("-published_at")
        .first()
    )


@dataclass(frozen=True)
class VisitFigures:
    today: int
    yesterday: int
    week: int
    month: int
    total: int


def _visitors(**filters: object) -> int:
    return VisitDay.objects.filter(**filters).aggregate(s=Sum("visitors"))["s"] or 0


def visit_figures(*, today: dt.date) -> VisitFigures:
    """Visitors today, yesterday, this week (from Monday), this month and all time (cached)."""
    key = f"hailong.opendata.visits:{today.isoformat()}"
    figures: VisitFigures | None = cache.get(key)
    if figures is None:
        figures = VisitFigures(
            today=_visitors(day=today),
            yesterday=_visitors(day=today - dt.timedelta(days=1)),
            week=_visitors(day__gte=today - dt.timedelta(days=today.weekday()), day__lte=today),
            month=_visitors(day__gte=today.replace(day=1), day__lte=today),
            total=_visitors(),
        )
        cache.set(key, figures, FIGURES_SECONDS)
    return figures
