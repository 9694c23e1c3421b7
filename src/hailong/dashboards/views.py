"""Staff dashboards: the latest computation of a campaign, each chart beside its table.

Every view checks the role and the unit scope; every table downloads as CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_safe

from hailong.accounts.refusals import refused
from hailong.campaigns.models import Campaign
from hailong.core.downloads import attachment
from hailong.units.models import Unit

from .access import Access, dashboard_access
from .figures import (
    Table,
    dimension_grouping,
    dimensions,
    drill,
    overview,
    scorecard,
    source_read,
)

View = Callable[..., HttpResponse]


def dashboard_view(view: View) -> View:
    """Signed in, holding a dashboard role; the view receives the user's ``Access``."""

    @login_required
    @require_safe
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access = dashboard_access(user=request.user)
        if access is None:
            return refused(
                request,
                "Bảng điều khiển dành cho cán bộ điều phối, quản trị hệ thống, kiểm tra, lãnh đạo"
                " cơ quan, đơn vị và người được giao xem kết quả. Cán bộ nhập liệu nhập câu trả lời"
                " nhưng không xem kết quả",
                "the dashboards are for coordinators, administrators, auditors, unit managers and"
                " viewers of results. Clerks enter answers but do not read results",
            )
        return view(request, access, *args, **kwargs)

    return wrapped


@dashboard_view
def chooser(request: HttpRequest, access: Access) -> HttpResponse:
    campaigns = (
        Campaign.objects.annotate(
            computations=Count("computation"), computed=Max("computation__computed_at")
        )
        .select_related("instrument")
        .order_by("-year", "-period_start")
    )
    return render(request, "dashboards/chooser.html", {"campaigns": campaigns})


def _campaign(code: str) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("instrument"), code=code)


def _overview(access: Access, code: str, charts: bool) -> dict[str, Any]:
    source = source_read(_campaign(code))
    return {"source": source, "dimensions": dimensions(source, access),
            **overview(source, access, charts=charts)}  # fmt: skip


def _unit(access: Access, code: str, unit_code: str, charts: bool) -> dict[str, Any]:
    campaign = _campaign(code)
    unit = get_object_or_404(Unit, code=unit_code)
    if not access.sees(unit.pk):
        raise Http404("unit outside the user's scope")
    source = source_read(campaign)
    return {"source": source, "unit": unit, **scorecard(source, unit, charts=charts)}


def _drill(access: Access, code: str, dimension: str, charts: bool) -> dict[str, Any]:
    source = source_read(_campaign(code))
    grouping = dimension_grouping(dimension, source)
    titles = dict(dimensions(source, access))
    if grouping is None or dimension not in titles:
        raise Http404("no such drill-down")
    title = titles[dimension]
    return {"source": source, "dimension": dimension, "title": title,
            "dimensions": list(titles.items()), **drill(source, grouping, title, charts=charts)}  # fmt: skip


@dashboard_view
def campaign_overview(request: HttpRequest, access: Access, code: str) -> HttpResponse:
    return render(request, "dashboards/overview.html", _overview(access, code, True))


@dashboard_view
def unit_scorecard(request: HttpRequest, access: Access, code: str, unit: str) -> HttpResponse:
    return render(request, "dashboards/unit.html", _unit(access, code, unit, True))


@dashboard_view
def drill_down(request: HttpRequest, access: Access, code: str, dimension: str) -> HttpResponse:
    return render(request, "dashboards/drill.html", _drill(access, code, dimension, True))


def _pick(tables: list[Table], key: str) -> Table:
    for table in tables:
        if table.key == key:
            return table
    raise Http404("no such table")


def _download(table: Table, name: str, fmt: str) -> HttpResponse:
    """The table as on the page: Vietnamese headers, numbers as numbers, a warning column."""
    header = [*table.columns, "Ghi chú"]
    rows = [[*row, mark] for row, mark in zip(table.rows, table.marks, strict=True)]
    filename = f"{name}-{table.key}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet(table.key[:31])
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, int | float):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, str(value))
        sheet.set_column(0, 0, 48)
        book.close()
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return attachment(response, filename)


@dashboard_view
def overview_download(
    request: HttpRequest, access: Access, code: str, key: str, fmt: str
) -> HttpResponse:
    with translation.override("vi"):
        context = _overview(access, code, False)
        return _download(_pick(context["tables"], key), code, fmt)


@dashboard_view
def unit_download(
    request: HttpRequest, access: Access, code: str, unit: str, key: str, fmt: str
) -> HttpResponse:
    with translation.override("vi"):
        context = _unit(access, code, unit, False)
        return _download(_pick(context["tables"], key), f"{code}-{unit}", fmt)


@dashboard_view
def drill_download(
    request: HttpRequest, access: Access, code: str, dimension: str, key: str, fmt: str
) -> HttpResponse:
    with translation.override("vi"):
        context = _drill(access, code, dimension, False)
        return _download(_pick(context["tables"], key), f"{code}-{dimension}", fmt)
