"""API keys on the REST API: the django-ninja auth classes and the one error shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja.security import APIKeyHeader, HttpBearer
from ninja.security.base import AuthBase

from .models import ApiKey
from .selectors import ApiKeyRefused, api_key_check


def error_response(vi: str, en: str, status: int, **extra: Any) -> JsonResponse:
    """``{"message", "extra"}``: the message in Vietnamese and English, details in ``extra``."""
    return JsonResponse(
        {"message": f"{vi} / {en}", "extra": {"vi": vi, "en": en, **extra}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def api_key_refused(request: HttpRequest, exc: ApiKeyRefused) -> JsonResponse:
    response = error_response(exc.vi, exc.en, exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hailong"'
    return response


class BearerKey(HttpBearer):
    """``Authorization: Bearer hl_…``."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        return api_key_check(token, scope=self.scope)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: hl_…``; tried last, so it reports a key missing from both headers."""

    param_name = "X-API-Key"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        return api_key_check(key, scope=self.scope)


def api_key_auth(scope: str) -> list[AuthBase]:
    """The ``auth=`` of an operation that needs a key holding ``scope``."""
    return [BearerKey(scope), HeaderKey(scope)]
