"""Staff screens: pick a unit in scope, see its codes, download images, posters and slips."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hailong.accounts.models import User
from hailong.core.downloads import attachment
from hailong.units.models import Desk, Service, Unit

from .images import public_base
from .printables import posters_pdf, slips_pdf
from .selectors import Code, printable_units, unit_codes, unit_desks, unit_services

MAX_UNITS = 300  # one print job; a whole province is about 200 units


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required ran first


def _unit(request: HttpRequest, code: str) -> Unit:
    """The unit named in the address, if the user may print for it (403 otherwise)."""
    unit = get_object_or_404(Unit, code=code)
    if not printable_units(user=_user(request)).filter(pk=unit.pk).exists():
        raise PermissionDenied("unit outside the user's scope")
    return unit


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    attachment(response, f"{name}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def units(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = printable_units(user=_user(request), query=query)
    page = Paginator(found, 50).get_page(request.GET.get("trang"))
    return render(request, "qrcodes/units.html", {"page": page, "query": query})


@login_required
@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    current = _unit(request, code)
    query = request.GET.get("q", "").strip()
    services = Paginator(unit_services(unit=current, query=query), 50).get_page(
        request.GET.get("trang")
    )
    context = {
        "unit": current,
        "unit_code": Code(unit=current),
        "desks": [Code(unit=current, desk=desk) for desk in unit_desks(unit=current)],
        "services": services,
        "service_codes": [Code(unit=current, service=s) for s in services],
        "query": query,
        "base": public_base(request),
    }
    return render(request, "qrcodes/unit.html", context)


@login_required
@require_safe
def poster(request: HttpRequest, code: str) -> HttpResponse:
    current = _unit(request, code)
    service = desk = None
    if request.GET.get("thu-tuc"):
        service = get_object_or_404(Service, code=request.GET["thu-tuc"], units=current)
    if request.GET.get("quay"):
        desk = get_object_or_404(Desk, code=request.GET["quay"], unit=current, active=True)
    body = posters_pdf(
        codes=[Code(unit=current, service=service, desk=desk)], base=public_base(request)
    )
    name = "-".join(["ap-phich", current.code, *(x.code for x in (desk, service) if x)])
    return _pdf(body, name)


@login_required
@require_safe
def slips(request: HttpRequest, code: str) -> HttpResponse:
    current = _unit(request, code)
    by = "desk" if request.GET.get("theo") == "quay" else "service"
    body = slips_pdf(codes=unit_codes(unit=current, by=by), base=public_base(request))
    return _pdf(body, f"phieu-{current.code}")


def _selected(request: HttpRequest) -> list[Unit] | HttpResponse:
    codes = request.GET.getlist("don-vi")
    if not codes or len(codes) > MAX_UNITS:
        words = []
        for language in ("vi", "en"):
            with translation.override(language):
                words.append(_("Choose between 1 and %(n)s units to print.") % {"n": MAX_UNITS})
        return HttpResponseBadRequest(" / ".join(words), content_type="text/plain; charset=utf-8")
    return [_unit(request, code) for code in codes]


@login_required
@require_safe
def posters_many(request: HttpRequest) -> HttpResponse:
    """One poster per selected unit (the admin action 'Print QR posters')."""
    selected = _selected(request)
    if isinstance(selected, HttpResponse):
        return selected
    body = posters_pdf(codes=[Code(unit=u) for u in selected], base=public_base(request))
    return _pdf(body, "ap-phich-ma-qr")


@login_required
@require_safe
def slips_many(request: HttpRequest) -> HttpResponse:
    """The slips of every selected unit, one after another (the admin action 'Print QR slips')."""
    selected = _selected(request)
    if isinstance(selected, HttpResponse):
        return selected
    codes = [code for u in selected for code in unit_codes(unit=u)]
    return _pdf(slips_pdf(codes=codes, base=public_base(request)), "phieu-ma-qr")
