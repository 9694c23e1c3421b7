"""Public pages: they read, never write, and work without JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hailong.units.models import UnitKind
from hailong.units.selectors import unit_tree

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
