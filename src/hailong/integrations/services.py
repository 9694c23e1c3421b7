"""Making API keys: the full key exists only in the return value, never in the database."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from hailong.units.models import Unit

from .models import ApiKey


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_secret(*, key: ApiKey) -> str:
    """Give ``key`` a fresh prefix and secret; return the full key (shown once, not stored)."""
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exclude(pk=key.pk).exists():
        prefix = secrets.token_hex(4)  # pragma: no cover - 1 in 4 billion
    raw = f"hl_{prefix}_{secrets.token_urlsafe(32)}"
    key.prefix, key.key_hash = prefix, key_hash(raw)
    return raw


def api_key_create(
    *,
    name: str,
    scopes: list[str],
    units: Iterable[Unit] | None = None,
    whole_province: bool = False,
) -> tuple[ApiKey, str]:
    """A new active key and its full text (give it to the integrating system once)."""
    key = ApiKey(name=name, scopes=scopes, whole_province=whole_province)
    raw = api_key_secret(key=key)
    key.full_clean()
    key.save()
    if units:
        key.units.set(units)
    return key, raw
