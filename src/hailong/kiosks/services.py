"""Registering kiosks: a one-time registration link sets the device's secret as a cookie."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Kiosk

COOKIE = "hailong_kiosk"


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def kiosk_registration_new(*, kiosk: Kiosk) -> str:
    """A one-time registration code for ``kiosk`` (shown once; opening it registers a tablet).

    A new registration replaces the device's secret: the tablet registered before stops
    working, which is how a lost or stolen tablet is cut off.
    """
    code = secrets.token_urlsafe(24)
    kiosk.registration_hash = secret_hash(code)
    if not kiosk.prefix:
        kiosk.prefix = secrets.token_hex(4)
    kiosk.secret_hash = secret_hash(secrets.token_urlsafe(32))  # no device holds this one
    kiosk.save()
    return code


@transaction.atomic
def kiosk_register(*, code: str) -> tuple[Kiosk, str] | None:
    """Use a registration code once: the kiosk and the device secret to set as a cookie."""
    kiosk = (
        Kiosk.objects.select_for_update()
        .filter(registration_hash=secret_hash(code), active=True)
        .exclude(registration_hash="")
        .first()
    )
    if kiosk is None:
        return None
    secret = f"hk_{kiosk.prefix}_{secrets.token_urlsafe(32)}"
    kiosk.secret_hash = secret_hash(secret)
    kiosk.registration_hash = ""
    kiosk.registered_at = timezone.now()
    kiosk.save(update_fields=["secret_hash", "registration_hash", "registered_at"])
    return kiosk, secret


@transaction.atomic
def kiosk_create(*, actor: Any, unit: Any, name: str, desk: Any = None) -> tuple[Kiosk, str]:
    """A new kiosk of ``unit`` and its one-time registration code (shown once), audited."""
    from hailong.audit.services import audit_record

    kiosk = Kiosk(name=name, unit=unit, desk=desk)
    code = kiosk_registration_new(kiosk=kiosk)
    audit_record(action="kiosk.create", actor=actor, obj=kiosk, unit=unit, data={"name": name})
    return kiosk, code


@transaction.atomic
def kiosk_revoke(*, actor: Any, kiosk: Kiosk, reason: str = "") -> Kiosk:
    """Stop a kiosk (lost, stolen, moved): its device is refused from now on; its answers stay."""
    from hailong.audit.services import audit_record

    kiosk.active = False
    kiosk.registration_hash = ""
    kiosk.save(update_fields=["active", "registration_hash"])
    audit_record(action="kiosk.revoke", actor=actor, obj=kiosk, unit=kiosk.unit, reason=reason)
    return kiosk
