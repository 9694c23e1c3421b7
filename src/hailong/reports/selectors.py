"""Reading what the reports are made from, and the report jobs."""

from __future__ import annotations

from hailong.campaigns.models import Campaign
from hailong.results.models import Computation
from hailong.results.selectors import computation_latest, computation_published


def computation_for_report(*, campaign: Campaign) -> Computation | None:
    """The published computation if there is one (what the public saw), else the latest."""
    return computation_published(campaign=campaign) or computation_latest(campaign=campaign)
