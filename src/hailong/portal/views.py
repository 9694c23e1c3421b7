"""Public pages: they read, never write, and work without JavaScript."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from hailong.units.models import Unit, UnitKind
from hailong.units.selectors import unit_tree

from .results import published, published_campaign, unit_figures
from .selectors import current_campaign

# Province agencies first, then the local level, as provincial portals list them.
KIND_ORDER = [
    UnitKind.DEPARTMENT,
    UnitKind.SERVICE_CENTRE,
    UnitKind.DISTRICT,
    UnitKind.WARD,
    UnitKind.COMMUNE,
    UnitKind.SPECIAL_ZONE,
    UnitKind.PROVINCE,
]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"summary": current_campaign()})


@require_safe
def units(request: HttpRequest) -> HttpResponse:
    forest = unit_tree()
    groups = []
    for root in forest:
        by_kind: dict[str, list[object]] = {}
        for child in root.children:
            by_kind.setdefault(child.unit.kind, []).append(child)
        ordered = sorted(by_kind.items(), key=lambda pair: KIND_ORDER.index(UnitKind(pair[0])))
        groups.append((root, [(UnitKind(kind).label, nodes) for kind, nodes in ordered]))
    return render(request, "portal/units.html", {"groups": groups})


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    campaign = published_campaign()
    data = published(campaign) if campaign else None
    language = getattr(request, "LANGUAGE_CODE", "vi")
    factors = [(f.code, f.label.get(language)) for f in data.instrument.factors] if data else []
    return render(request, "portal/results.html", {"data": data, "factors": factors})


@require_safe
def unit_result(request: HttpRequest, code: str) -> HttpResponse:
    campaign = published_campaign()
    data = published(campaign) if campaign else None
    unit = get_object_or_404(Unit, code=code)
    if data is None:
        raise Http404("no published results")
    language = getattr(request, "LANGUAGE_CODE", "vi")
    figures = unit_figures(data.computation, unit)
    mine, province = figures["mine"], figures["province"]
    factors = [
        {"label": f.label.get(language), "unit": mine.get(f"factor:{f.code}"), "province": province.get(f"factor:{f.code}"),
         "items": [{"label": q.text.get(language), "unit": mine.get(f"item:{q.code}"), "province": province.get(f"item:{q.code}")}
                   for q in data.instrument.items(f.code)]}
        for f in data.instrument.factors
    ]  # fmt: skip
    peers = next(
        (len(t.ranked) for t in data.tables if any(u.unit == unit for u in t.ranked)), None
    )
    context = {"data": data, "unit": unit, "overall": mine.get("overall:overall"),
               "province_overall": province.get("overall:overall"), "factors": factors, "peers": peers}  # fmt: skip
    return render(request, "portal/unit_result.html", context)
