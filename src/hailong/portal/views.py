"""Public pages: they read, never write, and work without JavaScript."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hailong.core.charts import chart_html, factors_spec, groups_spec, ranking_spec, series_spec
from hailong.dashboards.figures import national_reference
from hailong.units.models import Unit, UnitKind
from hailong.units.selectors import unit_tree

from .results import (
    Published,
    class_title,
    overall_by_year,
    published,
    published_campaign,
    unit_figures,
)
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
    charts = _results_charts(data, language) if data else {}
    return render(
        request, "portal/results.html", {"data": data, "factors": factors, "charts": charts}
    )


def _results_charts(data: Published, language: str) -> dict[str, Any]:
    """Charts of the published figures; each one's table is on the page beside it."""
    charts: dict[str, Any] = {}
    factors = [
        {"label": f.label.get(language), "index": r.index, "low": r.low, "high": r.high}
        for f in data.instrument.factors
        if (r := data.province.get(f"factor:{f.code}")) is not None and r.index is not None
    ]
    charts["factor_rows"] = [
        (f.label.get(language), data.province.get(f"factor:{f.code}"))
        for f in data.instrument.factors
    ]
    if factors:
        charts["factors"] = chart_html(
            factors_spec(factors, title=_("Satisfied (%)")),
            title=_("Index of each factor in the province, with its interval"),
        )
    charts["ranking"] = {
        table.klass: chart_html(
            ranking_spec(
                [
                    {
                        "unit": u.unit.name,
                        "index": u.overall.index,
                        "low": u.overall.low,
                        "high": u.overall.high,
                        "href": reverse("portal:unit_result", args=[u.unit.code]),
                    }
                    for u in table.ranked
                ],
                title=_("Satisfied (%)"),
            ),
            # one chart per class of units: each named for its class (names must differ)
            title=f"{_('Overall index of each unit with its interval')} – {class_title(table.klass)}",
        )
        for table in data.tables
        if table.ranked
    }
    mine = overall_by_year(data.computation)
    national = {int(p["year"]): float(p["index"]) for p in national_reference()["series"]}
    charts["years"] = [(y, mine.get(y), national.get(y)) for y in sorted(set(mine) | set(national))]
    charts["source"] = national_reference()["source"]["en" if language == "en" else "vi"]
    points = [{"series": _("Province"), "year": str(y), "index": v} for y, v in mine.items()]
    points += [{"series": _("National SIPAS"), "year": str(y), "index": v} for y, v in national.items()]  # fmt: skip
    charts["series"] = chart_html(
        series_spec(points, title=_("Satisfied (%)")),
        title=_("The province's overall index by year beside the national SIPAS index (%)"),
        description=_("The national series is a reference: its questionnaire and sample differ."),
    )
    return charts


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
    overall = mine.get("overall:overall")
    drawn = [
        {
            "label": f["label"],
            "index": f["unit"].index,
            "low": f["unit"].low,
            "high": f["unit"].high,
        }
        for f in factors
        if f["unit"] is not None and f["unit"].index is not None
    ]
    if overall is not None and overall.enough and drawn:
        reference = province.get("overall:overall")
        context["factors_chart"] = chart_html(
            groups_spec(drawn, title=_("Satisfied (%)"),
                        reference=reference.index if reference else None),
            title=_("The unit's factors with their intervals"),
            description=_("The dashed line is the province's overall index."),
        )  # fmt: skip
    years = overall_by_year(data.computation, unit=unit)
    province_years = overall_by_year(data.computation)
    context["years"] = [(y, years.get(y), province_years.get(y)) for y in sorted(set(years) | set(province_years))]  # fmt: skip
    if len(years) > 1:
        points = [{"series": unit.name, "year": str(y), "index": v} for y, v in years.items()]
        points += [{"series": _("Province"), "year": str(y), "index": v} for y, v in province_years.items()]  # fmt: skip
        context["years_chart"] = chart_html(
            series_spec(points, title=_("Satisfied (%)")),
            title=_("The unit's overall index by year beside the province (%)"),
        )
    return render(request, "portal/unit_result.html", context)
