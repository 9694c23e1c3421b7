"""Ending staff sessions: after inactivity, after the longest sign-in, or without a second step."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .models import User
from .selectors import totp_required

SIGNED_IN_AT = "hailong_signed_in_at"
LAST_SEEN = "hailong_last_seen"
SECOND_STEP = "hailong_second_step"
ENDED = "hailong_session_ended"


class SessionLimitsMiddleware:
    """Sign out a session idle for ``HAILONG_SESSION_IDLE_MINUTES`` or older than
    ``SESSION_COOKIE_AGE`` (saving every request makes the cookie's own age an idle limit),
    and one that skipped a second step its roles now require.

    The request goes on anonymously: pages that need a sign-in send it to /dang-nhap/, which
    says why the session ended.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = self._ended(request, time.time())
            if reason:
                logout(request)
                request.session[ENDED] = reason
            else:
                request.session[LAST_SEEN] = int(time.time())
        return self.get_response(request)

    def _ended(self, request: HttpRequest, now: float) -> str:
        session = request.session
        last_seen = session.get(LAST_SEEN)
        signed_in_at = session.get(SIGNED_IN_AT)
        if last_seen is not None and now - last_seen > settings.HAILONG_SESSION_IDLE_MINUTES * 60:
            return "idle"
        if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
            return "age"
        user = request.user
        if (
            settings.HAILONG_TOTP_REQUIRED_ROLES
            and not session.get(SECOND_STEP)
            and isinstance(user, User)
            and totp_required(user=user)
        ):
            return "second_step"
        return ""
