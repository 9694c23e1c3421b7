"""Reading stored index tables."""

from __future__ import annotations

from hailong.campaigns.models import Campaign

from .models import Computation


def computation_latest(*, campaign: Campaign) -> Computation | None:
    return Computation.objects.filter(campaign=campaign).order_by("-computed_at").first()


def computation_published(*, campaign: Campaign) -> Computation | None:
    """The campaign's published results, or None: the public sees nothing else."""
    return (
        Computation.objects.filter(campaign=campaign, published_at__isnull=False)
        .order_by("-published_at")
        .first()
    )
