"""The public survey: choose the agency and procedure, answer screen by screen, get a receipt.

Every page works without JavaScript. Nothing is stored until the last screen is sent to the
submission route; the answers given so far travel with the form (see :mod:`.survey`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.core.formats import date_vn
from hailong.core.text import strip_diacritics
from hailong.units.models import Service, Unit, UnitKind

from .intake import FORM_PATH, KIOSK_COOKIE
from .integrity import (
    FormToken,
    TokenRefused,
    receipt_pass_holds,
    token_new,
    token_read,
    token_sign,
)
from .lookups import lookup_allowed
from .models import Response
from .receipts import receipt_normalise
from .survey import carried, checker_for, question_views, screen_problems, screens

QUICK_UNITS = 8
QUICK_SERVICES = 10
WEB_CHANNELS = {"web", "qr"}


@dataclass(frozen=True)
class Target:
    """What the respondent is about to rate."""

    campaign: Campaign
    unit: Unit
    service: Service | None = None
    desk_id: int | None = None
    invitation: str = ""
    qr: bool = False


class Unavailable(Exception):
    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _retired(unit: Unit, today: dt.date) -> bool:
    """A unit merged, split or dissolved before today: it takes no answers any more."""
    return unit.valid_to is not None and unit.valid_to < today


def _retired_message(unit: Unit) -> str:
    return _(
        "%(unit)s no longer exists: it was merged or split, and its last day was %(day)s. "
        "Please choose the unit that now handles your file."
    ) % {"unit": unit.name, "day": date_vn(unit.valid_to)}


def _unit_current(unit: Unit) -> Unit:
    """The unit itself while it exists; a link to a retired one says what happened to it."""
    if _retired(unit, timezone.localdate()):
        raise Unavailable(_retired_message(unit), status=410)
    return unit


def fold(text: str) -> str:
    """Lower case without diacritics, so "hac thanh" finds "Hạc Thành"."""
    return strip_diacritics(text).lower()


def open_campaigns(today: dt.date | None = None) -> list[Campaign]:
    today = today or timezone.localdate()
    found = Campaign.objects.filter(
        status=Campaign.Status.OPEN, period_start__lte=today, period_end__gte=today
    ).select_related("instrument")
    shown = [c for c in found if not c.channels or WEB_CHANNELS & set(c.channels)]
    # the year's survey before a desk form open all year, then the newest
    return sorted(shown, key=lambda c: (c.instrument.kind != "yearly", -c.year, c.code))


def _campaign_for(unit: Unit, code: str | None) -> Campaign:
    """The open campaign asked for, or the open one covering the unit (yearly survey first)."""
    candidates = [
        c
        for c in open_campaigns()
        if (not code or c.code == code) and c.scope.filter(unit=unit).exists()
    ]
    if not candidates:
        raise Unavailable(_("No survey is open for this unit at the moment."))
    candidates.sort(key=lambda c: (c.instrument.kind != "yearly", -c.year))
    return candidates[0]


def _resolve(params: Any) -> Target:
    """The target from a QR link, an invitation code or plain choices; never a retired unit."""
    target = _resolve_any(params)
    _unit_current(target.unit)
    return target


def _resolve_any(params: Any) -> Target:
    if params.get("lien"):
        try:
            from hailong.qrcodes.links import BadLink, link_read
        except ImportError:  # pragma: no cover - the QR app is part of the package
            raise Unavailable(_("This QR code is not valid.")) from None
        try:
            link = link_read(params["lien"])
        except BadLink as exc:
            raise Unavailable(exc.en if translation.get_language() == "en" else exc.vi) from None
        campaign = _campaign_for(_unit_current(link.unit), params.get("dot"))
        return Target(
            campaign,
            link.unit,
            link.service,
            link.desk.pk if link.desk is not None else None,
            qr=True,
        )
    if params.get("ma"):
        try:
            from hailong.invitations.selectors import InvitationRefused, invitation_check
        except ImportError:  # pragma: no cover
            raise Unavailable(_("This invitation code is not valid.")) from None
        try:
            code = invitation_check(params["ma"], today=timezone.localdate())
        except InvitationRefused as exc:
            raise Unavailable(exc.en if translation.get_language() == "en" else exc.vi) from None
        return Target(code.campaign, code.unit, code.service, invitation=code.code)
    unit = Unit.objects.filter(code=params.get("don-vi", "")).first()
    if unit is None:
        raise Unavailable(_("Choose the agency or unit you dealt with."))
    campaign = _campaign_for(_unit_current(unit), params.get("dot"))
    service = None
    if params.get("thu-tuc"):
        service = unit.services.filter(code=params["thu-tuc"]).first()
        if service is None:
            raise Unavailable(_("This unit does not handle the chosen procedure."))
    return Target(campaign, unit, service)


@require_safe
def survey_start(request: HttpRequest) -> HttpResponse:
    """Step 0: choose the agency, then the procedure (most used first, or by search)."""
    params = request.GET
    if params.get("lien") or params.get("ma"):
        return HttpResponseRedirect(reverse("collection:form") + "?" + params.urlencode())
    campaigns = open_campaigns()
    context: dict[str, Any] = {"campaigns": campaigns, "query": params.get("tim", "")[:100]}
    if not campaigns:
        return render(request, "collection/start.html", context)
    chosen = next((c for c in campaigns if c.code == params.get("dot")), campaigns[0])
    context["campaign"] = chosen
    context["minutes"] = chosen.instrument.to_core().minutes_to_answer()
    today = timezone.localdate()
    unit = Unit.objects.filter(code=params.get("don-vi", "")).first()
    if unit is not None and _retired(unit, today):
        context["retired"] = _retired_message(unit)  # an old link: say why, offer the others
        unit = None
    if unit is not None and chosen.scope.filter(unit=unit).exists():
        context["unit"] = unit
        services = list(
            unit.services.annotate(
                used=Count("response", filter=Q(response__campaign=chosen, response__unit=unit))
            ).order_by("-used", "name")
        )
        query = fold(context["query"])
        if query:
            services = [s for s in services if query in fold(f"{s.name} {s.code} {s.field}")]
            context["services"] = services[:50]
        else:
            context["services"] = services[:QUICK_SERVICES]
            context["more_services"] = len(services) > QUICK_SERVICES
        return render(request, "collection/start.html", context)
    in_scope = list(
        Unit.objects.filter(pk__in=CampaignUnit.objects.filter(campaign=chosen).values("unit_id"))
        .exclude(valid_to__lt=today)  # merged or split away: no longer offered
        .annotate(used=Count("response", filter=Q(response__campaign=chosen)))
    )
    query = fold(context["query"])
    if query:
        context["matches"] = [u for u in in_scope if query in fold(u.name)][:50]
    context["quick"] = sorted(in_scope, key=lambda u: (-u.used, u.name))[:QUICK_UNITS]
    groups: dict[str, list[Unit]] = {}
    for u in sorted(in_scope, key=lambda u: fold(u.name)):
        groups.setdefault(u.kind, []).append(u)
    context["groups"] = [(UnitKind(kind).label, units) for kind, units in groups.items()]
    return render(request, "collection/start.html", context)


def _language(request: HttpRequest, wanted: str | None) -> str:
    if wanted in ("vi", "en"):
        return wanted
    return "en" if (request.LANGUAGE_CODE or "vi").startswith("en") else "vi"


@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest) -> HttpResponse:
    """One screen of the questionnaire; the last one posts to the submission route."""
    if request.method == "GET":
        try:
            target = _resolve(request.GET)
        except Unavailable as exc:
            context = {
                "message": exc.message,
                # a refused invitation code is typed again here, not on a page further back
                "code_typed": request.GET["ma"][:40] if request.GET.get("ma") else None,
            }
            return render(request, "collection/unavailable.html", context, status=exc.status)
        token = token_new(
            campaign_id=target.campaign.pk,
            unit_id=target.unit.pk,
            service_id=target.service.pk if target.service else None,
            desk_id=target.desk_id,
            invitation=target.invitation,
            mode="desk_qr" if target.qr else "online",
        )
        return _screen(request, token, 0, {}, {}, _language(request, None))

    try:
        token = token_read(request.POST.get("_token", ""))
    except TokenRefused as exc:
        message = exc.en if request.LANGUAGE_CODE == "en" else exc.vi
        return render(request, "collection/unavailable.html", {"message": message}, status=403)
    fields = {k: request.POST.getlist(k) for k in request.POST}
    step = _int(request.POST.get("_step"), 0)
    action = request.POST.get("_go", "next")
    language = _language(
        request, action[5:] if action.startswith("lang-") else request.POST.get("_lang")
    )
    if action == "back":
        return _screen(request, token, max(step - 1, 0), fields, {}, language)
    if action.startswith("lang-"):
        return _screen(request, token, step, fields, {}, language)
    campaign = Campaign.objects.select_related("instrument").get(pk=token.campaign_id)
    checker = checker_for(campaign.instrument)
    typed, parse_problems = checker.parse_fields(fields)
    problems = {p.question: p for p in parse_problems}
    problems.update(
        {k: v for k, v in screen_problems(checker, typed, step).items() if k not in problems}
    )
    on_screen = (
        {q.code for q in screens(checker.instrument)[step].questions}
        if step < len(screens(checker.instrument))
        else set()
    )
    here = {k: v for k, v in problems.items() if k in on_screen}
    if here:
        return _screen(request, token, step, fields, here, language)
    return _screen(request, token, step + 1, fields, {}, language)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _screen(
    request: HttpRequest,
    token: FormToken,
    step: int,
    fields: dict[str, list[str]],
    problems: dict[str, Any],
    language: str,
) -> HttpResponse:
    campaign = Campaign.objects.select_related("instrument").get(pk=token.campaign_id)
    unit = Unit.objects.get(pk=token.unit_id)
    service = Service.objects.filter(pk=token.service_id).first() if token.service_id else None
    checker = checker_for(campaign.instrument)
    sections = screens(checker.instrument)
    step = min(max(step, 0), len(sections) - 1)
    section = sections[step]
    typed, _ignored = checker.parse_fields(fields)
    with translation.override(language):
        views = question_views(checker, section, fields, problems, typed, language)
        on_screen = {q.code for q in section.questions}
        response = render(
            request,
            "collection/screen.html",
            {
                "campaign": campaign,
                "instrument": checker.instrument,
                "title": checker.instrument.title.get(language),
                "unit": unit,
                "unit_name": unit.name_en if language == "en" and unit.name_en else unit.name,
                "service": service,
                "section_title": section.title.get(language),
                "questions": views,
                "hidden": carried(fields, checker, on_screen),
                "token": token_sign(token),
                # stable across a reload of the same screen (a GET issues a new token)
                "draft_key": f"{campaign.pk}-{unit.pk}-{token.service_id or 0}-{step}",
                "step": step,
                "steps": len(sections),
                "last": step == len(sections) - 1,
                "submit_path": FORM_PATH,
                "errors": [v for v in views if v.error],
                "language": language,
                "other_language": "vi" if language == "en" else "en",
                "LANGUAGE_CODE": language,
            },
        )
    response["Cache-Control"] = "no-store"
    return response


def _answer_of(receipt: str | None) -> Response | None:
    """The answer stored under a canonical receipt, with its unit and campaign."""
    if receipt is None:
        return None
    return Response.objects.select_related("unit", "campaign").filter(receipt=receipt).first()


@require_safe
def receipt_check(request: HttpRequest) -> HttpResponse:
    """``/bien-nhan/``: whether the answer behind a receipt was stored, and is counted.

    What the thank-you page promises ("keep this number to check later"); never the answers.
    """
    typed = request.GET.get("so", "").strip()[:64]
    found: Response | None = None
    error, status = "", 200
    if typed and not lookup_allowed(request):
        error, status = (
            _("Too many lookups from one address. Please try again in a few minutes."),
            429,
        )
    elif typed:
        canonical = receipt_normalise(typed)
        if canonical is None:
            error, status = (
                _(
                    "This is not a receipt number: check each character against the paper "
                    "(it looks like 2026-7KQ3-M9XD-4A)."
                ),
                422,
            )
        else:
            found = _answer_of(canonical)
            if found is None:
                error, status = _("There is no answer with this receipt number."), 404
    response = render(
        request,
        "collection/receipt.html",
        {
            "typed": typed,
            "found": found,
            "error": error,
            "Review": Response.Review,
            # while answers come in, the checks' verdict would teach whoever stuffs the survey
            "closed": found is not None and found.campaign.status != Campaign.Status.OPEN,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the receipt is in the address
    if status == 429:
        response["Retry-After"] = "60"
    return response


@require_safe
def thanks(request: HttpRequest, receipt: str) -> HttpResponse:
    """The thank-you page of a receipt: free right after the answer was stored (its pass),
    otherwise one lookup counted like ``/bien-nhan/`` (it says the receipt exists)."""
    canonical = receipt_normalise(receipt)
    just_stored = canonical is not None and receipt_pass_holds(canonical, request.GET.get("p", ""))
    if not just_stored and not lookup_allowed(request):
        refused = render(
            request,
            "collection/unavailable.html",
            {"message": _("Too many lookups from one address. Please try again in a few minutes.")},
            status=429,
        )
        refused["Retry-After"] = "60"
        return refused
    response = _answer_of(canonical)
    if response is None:
        raise Http404(_("There is no answer with this receipt number."))
    return render(
        request,
        "collection/thanks.html",
        {
            "response": response,
            "unit": response.unit,
            "again": reverse("collection:start"),
            "kiosk": response.source == "kiosk" and KIOSK_COOKIE in request.COOKIES,
        },
    )
