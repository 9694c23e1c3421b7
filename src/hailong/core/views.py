"""Pages of the site as a whole: the page a refused form (CSRF check) gets.

Django's 404, 500 and 403 pages are templates (``core/templates/404.html`` …), rendered by
Django's own handlers; a failed CSRF check goes through ``csrf_failure`` (``CSRF_FAILURE_VIEW``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: the page was open too long (its token is from an
    earlier session) or the browser keeps no cookies. Says so in the site's pages, offers the
    form again (the page it was sent from, same site only) so it can be sent anew; status 403."""
    referer = request.META.get("HTTP_REFERER", "")
    again = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    context = {"again": again, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    response = render(request, "403_csrf.html", context, status=403)
    response["Cache-Control"] = "no-store"
    return response
