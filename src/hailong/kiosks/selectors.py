"""Which kiosk a device is, and which campaign it answers for."""

from __future__ import annotations

from django.utils import timezone

from hailong.campaigns.models import Campaign

from .models import Kiosk
from .services import secret_hash


def kiosk_for_secret(raw: str | None) -> Kiosk | None:
    if not raw or not raw.startswith("hk_"):
        return None
    return (
        Kiosk.objects.select_related("unit", "desk", "campaign")
        .filter(secret_hash=secret_hash(raw), active=True)
        .first()
    )


def kiosk_campaign(kiosk: Kiosk) -> Campaign | None:
    """The kiosk's campaign if open, else an open campaign covering its unit (desk forms first)."""
    today = timezone.localdate()
    open_now = Campaign.objects.filter(
        status=Campaign.Status.OPEN,
        period_start__lte=today,
        period_end__gte=today,
        scope__unit=kiosk.unit,
    ).select_related("instrument")
    if kiosk.campaign_id is not None:
        return open_now.filter(pk=kiosk.campaign_id).first()
    candidates = [c for c in open_now if not c.channels or "kiosk" in c.channels]
    candidates.sort(key=lambda c: (c.instrument.kind != "desk", -c.year))
    return candidates[0] if candidates else None
