"""Reading campaigns."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Campaign


def campaign_by_code(code: str) -> Campaign:
    """The campaign a command names; an unknown code lists the known ones."""
    campaign = Campaign.objects.filter(code=code).select_related("instrument").first()
    if campaign is None:
        known = (
            ", ".join(Campaign.objects.order_by("-year").values_list("code", flat=True)) or "(none)"
        )
        raise CommandError(f"Không có đợt khảo sát '{code}' / no campaign '{code}'. Known: {known}")
    return campaign
