"""Public link routes: /q/<token> sends a scanner to the survey form; .svg/.png draw the code."""

from __future__ import annotations

import hashlib
import re

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hailong.core.downloads import attachment

from .images import ERROR_LEVEL, public_base, qr_png, qr_svg
from .links import FORM_PATH, BadLink, LinkTarget, link_read, token_make

IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
IMAGE_SECONDS = 24 * 3600  # a code whose desk closes stops working at /q/, not in caches


def bad_link(request: HttpRequest, problem: BadLink) -> HttpResponse:
    """The page a person sees after scanning a damaged or outdated code."""
    english = getattr(request, "LANGUAGE_CODE", "vi") == "en"
    context = {"problem": problem.en if english else problem.vi}
    return render(request, "qrcodes/bad_link.html", context, status=404)


@never_cache
@require_safe
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = link_read(token)
    except BadLink as problem:
        return bad_link(request, problem)
    canonical = _token(target)  # however it was typed or scanned, and an old poster's too
    return HttpResponseRedirect(f"{FORM_PATH}?{urlencode({'lien': canonical})}")


@require_safe
def link_image(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    try:
        target = link_read(token)
    except BadLink as problem:
        return bad_link(request, problem)
    url = f"{public_base(request)}/q/{_token(target)}"  # whichever spelling was asked for
    etag = '"{}"'.format(hashlib.sha256(f"{kind}:{ERROR_LEVEL}:{url}".encode()).hexdigest()[:32])
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = qr_svg(url, scale=8, title=url) if kind == "svg" else qr_png(url)
        response = HttpResponse(body, content_type=IMAGE_TYPES[kind])
        if request.GET.get("tai"):
            attachment(response, f"{filename(target)}.{kind}")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=IMAGE_SECONDS)
    return response


def _token(target: LinkTarget) -> str:
    return token_make(unit=target.unit, service=target.service, desk=target.desk)


def filename(target: LinkTarget) -> str:
    """``ma-qr-SNV-quay-1``: ASCII codes only, safe in a header and on any disk."""
    parts = ["ma-qr", target.unit.code]
    if target.desk is not None:
        parts.append(target.desk.code)
    if target.service is not None:
        parts.append(target.service.code)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts))
