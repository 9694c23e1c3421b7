"""Public pages: send a complaint or suggestion, follow it by its code, read published answers.

No account and no JavaScript; the sender's text is escaped and, beyond the unit, masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hailong.accounts.lockout import request_address_hash
from hailong.collection.lookups import lookup_allowed
from hailong.collection.receipts import receipt_normalise
from hailong.units.models import Unit
from hailong.units.selectors import units_by_name

from .codes import case_code_normalise
from .models import Case
from .selectors import cases_published, masked
from .services import CaseRefused, case_consent, case_reopen, case_submit


def _said(vi: str, en: str) -> str:
    """The one of the two texts in the page's language."""
    return en if (translation.get_language() or "vi").startswith("en") else vi


def refused_text(exc: CaseRefused) -> str:
    return _said(exc.vi, exc.en)


def _units() -> list[Unit]:
    today = timezone.localdate()
    return units_by_name(Unit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)))


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    source = data.get("nguon", "")
    if source not in (Case.Source.THANKS, Case.Source.KIOSK):
        source = Case.Source.PORTAL
    form: dict[str, Any] = {
        "unit": data.get("don_vi", data.get("don-vi", "")),
        "kind": data.get("loai", ""),
        "text": data.get("noi_dung", ""),
        "receipt": data.get("bien_nhan", data.get("bien-nhan", "")),
        "name": data.get("ho_ten", ""),
        "phone": data.get("dien_thoai", ""),
        "email": data.get("email", ""),
        "consent": bool(data.get("dong_y")),
        "source": source,
    }
    error = ""
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form["receipt"].strip() and not lookup_allowed(request):
        # a receipt checked here says whether it exists and whose unit it is: counted as a lookup
        error = _("Too many lookups from one address. Please try again in a few minutes.")
        status = 429
    elif request.method == "POST":
        try:
            case = case_submit(
                unit=Unit.objects.filter(code=form["unit"]).first(),
                kind=form["kind"],
                text=form["text"],
                receipt=form["receipt"],
                name=form["name"],
                phone=form["phone"],
                email=form["email"],
                consent=form["consent"],
                source=source,
                client_hash=request_address_hash(request),
                honeypot=request.POST.get("website", ""),
            )
        except CaseRefused as exc:
            error, status = refused_text(exc), 400
            problems = {field: _said(*pair) for field, pair in exc.fields.items()}
        else:
            return redirect(reverse("cases:track") + "?" + urlencode({"ma": case.code, "moi": "1"}))
    receipt_ok = bool(form["receipt"]) and receipt_normalise(form["receipt"]) is not None
    context = {
        "form": form,
        "error": error,
        "problems": problems,
        "units": _units(),
        "receipt_ok": receipt_ok,
        "text_max": _text_max(),
    }
    response = render(request, "cases/submit.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _text_max() -> int:
    from django.conf import settings

    return int(settings.HAILONG_CASE_TEXT_MAX)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    typed = data.get("ma", "").strip()
    case = None
    error = ""
    status = 200
    if typed and not lookup_allowed(request):
        status = 429
        error = _("Too many lookups from one address. Please try again in a few minutes.")
    elif typed:
        code = case_code_normalise(typed)
        case = Case.objects.select_related("unit").filter(code=code).first() if code else None
        if case is None:
            error = _(
                "There is no case with this tracking code. Check the code: it looks like "
                "PA-7KQ3-M9XD-4A."
            )
            status = 404
    reason = ""
    if request.method == "POST" and case is not None:
        try:
            if request.POST.get("buoc") == "mo-lai":
                reason = request.POST.get("ly_do", "")
                case_reopen(case=case, reason=reason)
                messages.success(request, _("The case was sent back to the unit."))
            elif request.POST.get("buoc") == "dong-y":
                case_consent(case=case, side="sender", agree=request.POST.get("dong_y") == "1")
                messages.success(request, _("Your choice about publishing was saved."))
        except CaseRefused as exc:
            messages.error(request, refused_text(exc))
            status = 422  # shown again with what was typed, not lost in a redirect
        else:
            return redirect(reverse("cases:track") + "?" + urlencode({"ma": case.code}))
    events = list(case.events.order_by("at", "pk")) if case else []
    context = {
        "typed": typed,
        "case": case,
        "error": error,
        "new": bool(data.get("moi")),
        "text": masked(case.text) if case else "",
        # written by the unit to the sender, who reads it here as written (masked when published)
        "answer": case.answer if case else "",
        "reason": reason,
        "text_max": _text_max(),
        "events": [e for e in events if e.action not in ("consent",)],
    }
    response = render(request, "cases/track.html", context, status=status)
    response["Cache-Control"] = "no-store"
    # the code is in the address: never sent to another site, but a same-origin form still
    # carries its Origin (with "no-referrer" a browser posts "Origin: null", which CSRF refuses)
    response["Referrer-Policy"] = "same-origin"
    if status == 429:
        response["Retry-After"] = "60"
    return response


@require_safe
def published(request: HttpRequest) -> HttpResponse:
    page = Paginator(cases_published(), 20).get_page(request.GET.get("trang"))
    rows = [{"case": c, "text": masked(c.text), "answer": masked(c.answer)} for c in page]
    return render(request, "cases/published.html", {"page": page, "rows": rows})
