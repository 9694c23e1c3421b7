"""The kiosk page, its registration, and what makes it work offline (service worker)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hailong.collection.intake import API_PATH, FORM_PATH
from hailong.collection.integrity import token_new, token_sign
from hailong.collection.survey import checker_for
from hailong.measurement.answers import NOT_APPLICABLE

from .models import Kiosk
from .selectors import kiosk_campaign, kiosk_for_secret
from .services import COOKIE, kiosk_register, secret_hash

COOKIE_AGE = 5 * 365 * 24 * 3600


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, code: str) -> HttpResponse:
    """Opening the link shows what will happen; only the button registers (link previews don't)."""
    pending = Kiosk.objects.filter(registration_hash=secret_hash(code), active=True).first()
    if pending is None:
        return render(request, "kiosks/unregistered.html", {"used": True}, status=404)
    if request.method == "GET":
        return render(request, "kiosks/register.html", {"kiosk": pending})
    done = kiosk_register(code=code)
    if done is None:  # pragma: no cover - used by another tablet between GET and POST
        return render(request, "kiosks/unregistered.html", {"used": True}, status=404)
    response = HttpResponseRedirect("/kiosk/")
    response.set_cookie(
        COOKIE,
        done[1],
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _questions(checker: Any, language: str) -> list[dict[str, Any]]:
    out = []
    for section in checker.instrument.sections:
        for q in section.questions:
            options = [{"value": o.value, "label": o.label.get(language)} for o in q.scale.options]
            if q.not_applicable and q.scale.type in ("ordinal", "choice"):
                label = "Not applicable" if language == "en" else "Không áp dụng"
                options.append({"value": NOT_APPLICABLE, "label": label})
            out.append(
                {
                    "code": q.code,
                    "text": q.text.get(language),
                    "type": q.scale.type,
                    "required": q.required,
                    "options": options,
                    "max": q.scale.max_length,
                }
            )
    return out


@require_safe
def kiosk_page(request: HttpRequest) -> HttpResponse:
    kiosk = kiosk_for_secret(request.COOKIES.get(COOKIE))
    if kiosk is None:
        return render(request, "kiosks/unregistered.html", {"used": False}, status=403)
    campaign = kiosk_campaign(kiosk)
    if campaign is None:
        response = render(request, "kiosks/closed.html", {"kiosk": kiosk})
        response["Cache-Control"] = "no-store"
        return response
    language = translation.get_language() or "vi"
    checker = checker_for(campaign.instrument)
    token = token_new(
        campaign_id=campaign.pk,
        unit_id=kiosk.unit_id,
        desk_id=kiosk.desk_id,
        mode="kiosk",
    )
    config = {
        "campaign": campaign.code,
        "submit": API_PATH,
        "idle": kiosk.idle_seconds,
        "feedback": f"/gop-y/?don-vi={quote(kiosk.unit.code)}&nguon=kiosk",
        "language": language,
        "questions": _questions(checker, language),
        "text": {
            "thanks": _("Thank you! Your rating has been recorded."),
            "skip": _("Skip"),
            "send": _("Send"),
            "waiting": _("Waiting to be sent: %(n)s"),
            "offline": _("No network: ratings are kept on this tablet and sent later."),
            "step": _("Question %(n)s of %(total)s"),
            "start_over": _("Start over"),
            "feedback": _("Send a complaint or suggestion to this unit"),
        },
    }
    response = render(
        request,
        "kiosks/kiosk.html",
        {
            "kiosk": kiosk,
            "campaign": campaign,
            "title": checker.instrument.title.get(language),
            "questions": config["questions"],
            "config": config,
            "token": token_sign(token),
            "form_path": FORM_PATH,
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


SERVICE_WORKER = """// hailong kiosk: keep the kiosk page and its files for when the network is gone.
const CACHE = "hailong-kiosk-v1";
const FILES = ["/kiosk/", %(files)s];
self.addEventListener("install", e => e.waitUntil(
  caches.open(CACHE).then(c => c.addAll(FILES)).then(() => self.skipWaiting())));
self.addEventListener("activate", e => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", e => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === "/kiosk/" || FILES.includes(url.pathname)) {
    // network first, so a changed questionnaire arrives; the copy when offline
    e.respondWith(fetch(e.request).then(r => {
      if (r.ok) { const copy = r.clone(); caches.open(CACHE).then(c => c.put(url.pathname, copy)); }
      return r;
    }).catch(() => caches.match(url.pathname)));
  }
});
"""


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    files = [static("kiosks/kiosk.js"), static("kiosks/kiosk.css"), static("core/site.css")]
    body = SERVICE_WORKER % {"files": ", ".join(json.dumps(f) for f in files)}
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/kiosk/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "hailong – đánh giá tại quầy",
        "short_name": "Đánh giá",
        "start_url": "/kiosk/",
        "scope": "/kiosk/",
        "display": "fullscreen",
        "background_color": "#ffffff",
        "theme_color": "#a3121b",
        "icons": [{"src": static("core/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
