"""Checking the API key an integrating system sends."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import ApiKey
from .services import key_hash

TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often per key


class ApiKeyRefused(Exception):
    """The key is missing, unknown, expired or inactive (401) or lacks the scope (403)."""

    def __init__(self, vi: str, en: str, status: int) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en, self.status = vi, en, status


def api_key_check(raw: str | None, *, scope: str) -> ApiKey:
    """The active key ``raw`` is, if it holds ``scope``; otherwise raise :class:`ApiKeyRefused`.

    ``raw`` is the full key (``hl_<prefix>_<secret>``) as the caller sent it.
    """
    raw = (raw or "").strip()
    if not raw:
        raise ApiKeyRefused(
            "Thiếu khoá API: gửi tiêu đề 'Authorization: Bearer hl_…' hoặc 'X-API-Key'.",
            "The API key is missing: send 'Authorization: Bearer hl_…' or 'X-API-Key'.",
            401,
        )
    key = ApiKey.objects.filter(key_hash=key_hash(raw)).first() if raw.startswith("hl_") else None
    if key is None:
        raise ApiKeyRefused("Khoá API không đúng.", "The API key is not valid.", 401)
    now = timezone.now()
    if not key.active:
        raise ApiKeyRefused(
            f"Khoá API '{key.prefix}' đã bị khoá.", f"API key '{key.prefix}' is disabled.", 401
        )
    if key.expires_at is not None and key.expires_at <= now:
        raise ApiKeyRefused(
            f"Khoá API '{key.prefix}' đã hết hạn.", f"API key '{key.prefix}' has expired.", 401
        )
    if scope not in key.scopes:
        raise ApiKeyRefused(
            f"Khoá API '{key.prefix}' không có quyền '{scope}'.",
            f"API key '{key.prefix}' lacks the permission '{scope}'.",
            403,
        )
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
