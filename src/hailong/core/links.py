"""Absolute addresses for what is printed or sent away (QR codes, slips, API replies)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def public_base(request: HttpRequest | None = None) -> str:
    """``https://host`` that printed codes point at: HAILONG_PUBLIC_URL, else the request's.

    Behind a reverse proxy the request's host may be an internal name, so production sets
    HAILONG_PUBLIC_URL; a command without a request must have it.
    """
    configured = str(settings.HAILONG_PUBLIC_URL or "").rstrip("/")
    if configured:
        return configured
    if request is None:
        raise ValueError(
            "Chưa đặt HAILONG_PUBLIC_URL / HAILONG_PUBLIC_URL is not set "
            "(e.g. https://hailong.thanhhoa.gov.vn)"
        )
    return f"{request.scheme}://{request.get_host()}"
