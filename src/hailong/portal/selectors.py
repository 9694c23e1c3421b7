"""What the public portal shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from hailong.campaigns.models import Campaign
from hailong.collection.models import Response


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    n_units: int
    n_answers: int
    n_quota: int


def current_campaign() -> CampaignSummary | None:
    """The latest announced campaign (not a draft), with how far collection has come."""
    campaign = (
        Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .order_by("-year", "-period_start")
        .first()
    )
    if campaign is None:
        return None
    scope = campaign.scope.aggregate(n=Count("id"))
    quota = sum(campaign.scope.values_list("quota", flat=True))
    answers = (
        Response.objects.filter(campaign=campaign).exclude(review=Response.Review.REJECTED).count()
    )
    return CampaignSummary(campaign=campaign, n_units=scope["n"], n_answers=answers, n_quota=quota)
