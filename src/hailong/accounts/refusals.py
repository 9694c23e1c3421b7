"""The one 403 page of the staff screens: what was refused and why, in the page's language.

Every staff screen refuses through ``refused`` so the page, its title, its status and the staff
navigation (home, sign out) are the same wherever a role or a unit scope is missing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def refused(request: HttpRequest, vi: str, en: str, status: int = 403) -> HttpResponse:
    """A page that says why, ``vi`` or ``en`` as the page's language (it adds the full stop)."""
    context = {"reason_vi": vi, "reason_en": en}
    return render(request, "accounts/refused.html", context, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 403 handler (``handler403``): a view that raises ``PermissionDenied`` gets the
    same page as every other refusal, not the bare default."""
    return refused(
        request,
        "bạn không có quyền xem trang này hay làm việc này",
        "you are not allowed to see this page or do this",
    )
