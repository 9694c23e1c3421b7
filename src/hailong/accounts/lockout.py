"""Pausing sign-in after repeated failures, per username and per network address.

Attempts are rows (:class:`~hailong.accounts.models.SignInAttempt`), so every process and
node sees the same count. A username is paused for ``HAILONG_LOCKOUT_MINUTES`` once it has
``HAILONG_LOCKOUT_ATTEMPTS`` failures within that many minutes since its last success; an
address (kept only as the day's keyed hash) at ``HAILONG_LOCKOUT_ADDRESS_ATTEMPTS``. While
paused nothing is checked or recorded, so the pause ends on time even under attack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from hailong.collection.integrity import SaltBox, client_hash

from .models import SignInAttempt

KEEP = dt.timedelta(days=1)  # attempts older than this are deleted
_salts = SaltBox()


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HAILONG_LOCKOUT_MINUTES)


def request_address_hash(request: HttpRequest) -> str:
    """The client's keyed address hash; X-Forwarded-For is believed from trusted proxies only."""
    address = request.META.get("REMOTE_ADDR", "")
    if address in settings.HAILONG_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    return client_hash(address, _salts.salt(timezone.localdate()))


def username_key(username: str) -> str:
    return username.strip().lower()[:150]


def _paused_until(failures: Sequence[dt.datetime], limit: int) -> dt.datetime | None:
    """End of the pause started by the latest run of ``limit`` failures within the window."""
    window, start = _window(), None
    for i in range(limit - 1, len(failures)):
        if failures[i] - failures[i - limit + 1] <= window:
            start = failures[i]
    return start + window if start is not None else None


def _failures(*, since: dt.datetime, **where: str) -> list[dt.datetime]:
    rows = SignInAttempt.objects.filter(ok=False, at__gte=since, **where)
    return sorted(rows.values_list("at", flat=True))


def lockout_until(*, username: str, address_hash: str) -> dt.datetime | None:
    """When sign-in opens again for this username or address; None when it is open now."""
    now = timezone.now()
    since = now - 2 * _window()
    last_ok = SignInAttempt.objects.filter(username=username_key(username), ok=True).aggregate(
        last=Max("at")
    )["last"]
    user_since = max(since, last_ok) if last_ok else since
    ends = [
        _paused_until(
            _failures(since=user_since, username=username_key(username)),
            settings.HAILONG_LOCKOUT_ATTEMPTS,
        ),
        _paused_until(
            _failures(since=since, client_hash=address_hash),
            settings.HAILONG_LOCKOUT_ADDRESS_ATTEMPTS,
        ),
    ]
    paused = [end for end in ends if end is not None and end > now]
    return max(paused) if paused else None


def attempt_record(*, username: str, address_hash: str, ok: bool) -> SignInAttempt:
    """Store one attempt and forget those older than a day."""
    now = timezone.now()
    SignInAttempt.objects.filter(at__lt=now - KEEP).delete()
    return SignInAttempt.objects.create(
        username=username_key(username), client_hash=address_hash, at=now, ok=ok
    )


def lockout_clear(*, username: str) -> int:
    """Forget a username's failures (an administrator unlocked it)."""
    deleted, _ = SignInAttempt.objects.filter(username=username_key(username), ok=False).delete()
    return deleted
