"""How often one address may look up a code typed by hand: a case's tracking code or a receipt.

Either is 45 random bits, but an unlimited lookup page would still let a script try codes one
after another. Lookups of both kinds share one count per keyed address hash (never the
address), kept by the submission route's :class:`~hailong.collection.integrity.RateLimiter`:
in this process, or shared by every process and node through Redis when
``HAILONG_REDIS_URL`` is set (``HAILONG_TRACK_PER_MINUTE``, ``HAILONG_TRACK_BURST``).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest

from hailong.accounts.lockout import request_address_hash

from .integrity import RateLimiter

_lock = threading.Lock()
_limiter: tuple[tuple[int, int, str], RateLimiter] | None = None


def lookup_limiter() -> RateLimiter:
    """The process's limiter, made again when its settings change (tests override them)."""
    global _limiter
    config = (
        int(settings.HAILONG_TRACK_PER_MINUTE),
        int(settings.HAILONG_TRACK_BURST),
        str(settings.HAILONG_REDIS_URL),
    )
    with _lock:
        if _limiter is None or _limiter[0] != config:
            per_minute, burst, redis_url = config
            _limiter = (
                config,
                RateLimiter(per_minute=per_minute, burst=burst, redis_url=redis_url),
            )
        return _limiter[1]


def lookup_limiter_reset() -> None:
    """Forget every count of this process (tests)."""
    global _limiter
    with _lock:
        _limiter = None


def lookup_allowed(request: HttpRequest) -> bool:
    """Whether this request's address may look up one more typed code now."""
    return lookup_limiter().allow_now("lookup:" + request_address_hash(request))
