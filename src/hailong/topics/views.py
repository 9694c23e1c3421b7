"""Staff pages under /can-bo/y-kien/: the topics board, the list with search, the exports.

Every view starts from ``comments_visible`` (the user's units, answers accepted at review), so
no query parameter reaches another unit's comments. Everyone sees the masked text, a unit's own
manager included (docs/comments.md, "Who sees what").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.campaigns.models import Campaign
from hailong.core.charts import chart_html
from hailong.core.downloads import attachment

from .export import comments_csv, comments_xlsx
from .forms import SearchForm
from .models import Comment, Tone
from .selectors import (
    FACTOR_LABELS,
    campaigns_readable,
    comment_units,
    comments_filter,
    comments_visible,
    examples,
    time_counts,
    tone_counts,
    topic_counts,
    unit_counts,
)
from .services import comments_sync

View = Callable[..., HttpResponse | StreamingHttpResponse]
PAGE_SIZE = 50
# Answers tagged by one page load at most; the rest waits for the next load or `hailong compute`.
SYNC_ON_READ = 200
TONE_COLOURS = {
    "complaint": "#a3121b",
    "suggestion": "#1f5fa8",
    "praise": "#1d6b35",
    "neutral": "#6b6f75",
}


def readers_only(view: View) -> View:
    """Sign-in first, then a role that reads comments over at least one unit."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not comment_units(user=cast(User, request.user)).exists():
            return refused(
                request,
                "Tài khoản của Ông/Bà không có vai trò được đọc ý kiến: cán bộ nhập liệu nhập câu"
                " trả lời nhưng không đọc lại",
                "your account holds no role that may read comments: clerks enter answers but do"
                " not read them",
            )
        return view(request, *args, **kwargs)

    return wrapped


def _campaign(request: HttpRequest, code: str) -> Campaign:
    return get_object_or_404(campaigns_readable(user=cast(User, request.user)), code=code)


def _search(request: HttpRequest, campaign: Campaign) -> tuple[SearchForm, QuerySet[Comment], str]:
    """The form and what it finds; an invalid search finds nothing rather than everything."""
    user = cast(User, request.user)
    form = SearchForm(request.GET or None, units=comment_units(user=user))
    comments = comments_visible(user=user, campaign=campaign)
    if form.is_bound and not form.is_valid():
        return form, comments.none(), ""
    if form.is_bound:
        comments = comments_filter(comments, form.filters())
    query = request.GET.copy()
    query.pop("trang", None)
    return form, comments, query.urlencode()


@require_safe
@readers_only
def index(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    campaigns = [
        (c, comments_visible(user=user, campaign=c).count()) for c in campaigns_readable(user=user)
    ]
    return render(request, "topics/index.html", {"campaigns": campaigns})


def _tone_chart(rows: list[dict[str, Any]], *, x: str, x_title: str, title: str, **kw: Any) -> str:
    tones = [t for t in Tone.values]
    values = [
        {"x": r[x], "tone": str(Tone(t).label), "n": r[t], "order": tones.index(t)}
        for r in rows
        for t in tones
        if r[t]
    ]
    spec = {
        "width": kw.get("width", 300),
        "height": kw.get("height", 24 * max(1, len(rows))),
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            kw.get("axis", "y"): {
                "field": "x",
                "type": kw.get("x_type", "nominal"),
                "title": x_title,
                "sort": None,
            },
            kw.get("value_axis", "x"): {
                "field": "n",
                "type": "quantitative",
                "title": _("Comments"),
                "stack": "zero",
            },
            "color": {
                "field": "tone",
                "type": "nominal",
                "title": _("Tone"),
                "legend": {"orient": "bottom", "columns": 2},
                "scale": {
                    "domain": [str(Tone(t).label) for t in tones],
                    "range": [TONE_COLOURS[t] for t in tones],
                },
            },
            "order": {"field": "order"},
            "tooltip": [
                {"field": "x", "type": kw.get("x_type", "nominal"), "title": x_title},
                {"field": "tone", "type": "nominal", "title": _("Tone")},
                {"field": "n", "type": "quantitative", "title": _("Comments"), "format": ",d"},
            ],
        },
    }
    return mark_safe(chart_html(spec, title=title, description=kw.get("description", "")))  # noqa: S308 - chart_html escapes


@require_safe
@readers_only
def board(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    report = comments_sync(campaign=campaign, limit=SYNC_ON_READ)
    form, comments, query = _search(request, campaign)
    counts = topic_counts(comments)
    tones = tone_counts(comments)
    total = sum(tones.values())
    factors = []
    for factor, label in FACTOR_LABELS.items():
        cells: list[dict[str, Any]] = [
            {
                "tone": tone,
                "label": Tone(tone).label,
                "n": counts.get((factor, tone), 0),
                "examples": examples(comments, factor=factor, tone=tone)
                if counts.get((factor, tone))
                else [],
            }
            for tone in Tone.values
        ]
        row: dict[str, Any] = {
            "code": factor,
            "label": label,
            "cells": cells,
            "total": sum(c["n"] for c in cells),
        }
        row.update({c["tone"]: c["n"] for c in cells})
        factors.append(row)
    base = request.GET.copy()
    for key in ("yeu_to", "giong", "trang"):
        base.pop(key, None)
    period, times = time_counts(comments)
    charts = {}
    if total:
        charts["factors"] = _tone_chart(
            [{**f, "x": str(f["label"])} for f in factors],
            x="x",
            x_title=_("Factor"),
            width=360,
            title=_("Comments per factor and tone"),
            description=_("The same figures are in the table beside the chart."),
        )
        when = str(_("Month") if period == "month" else _("Week starting"))
        stamp = "%m/%Y" if period == "month" else "%d/%m/%Y"
        charts["time"] = _tone_chart(
            [{**t, "x": t["start"].strftime(stamp)} for t in times],
            x="x",
            x_title=when,
            title=_("Comments over time, by tone"),
            description=_("The same figures are in the table beside the chart."),
            axis="x",
            value_axis="y",
            width=max(240, 36 * len(times)),
            height=200,
            x_type="ordinal",
        )
    context = {
        "campaign": campaign,
        "form": form,
        "query": query,
        "base": base.urlencode(),
        "factors": factors,
        "tones": [(t, Tone(t).label, tones.get(t, 0)) for t in Tone.values],
        "total": total,
        "units": unit_counts(comments),
        "period": period,
        "times": times,
        "charts": charts,
        "sync": report,
    }
    return render(request, "topics/board.html", context)


@require_safe
@readers_only
def comment_list(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    report = comments_sync(campaign=campaign, limit=SYNC_ON_READ)
    form, comments, query = _search(request, campaign)
    found = comments.select_related("unit").order_by("-submitted_at", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "query": query,
        "sync": report,
        "labels": FACTOR_LABELS,
        "tag_labels": {**FACTOR_LABELS, **dict(Tone.choices)},
    }
    return render(request, "topics/list.html", context)


def _filename(campaign: Campaign, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"y-kien-{campaign.code}-{stamp}.{ext}"


@require_safe
@readers_only
def export_csv(request: HttpRequest, code: str) -> HttpResponse | StreamingHttpResponse:
    campaign = _campaign(request, code)
    _, comments, _q = _search(request, campaign)
    rows = (
        comments.select_related("unit").order_by("-submitted_at", "-id").iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(comments_csv(rows), content_type="text/csv; charset=utf-8")
    return attachment(response, _filename(campaign, "csv"))


@require_safe
@readers_only
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    _, comments, _q = _search(request, campaign)
    rows = (
        comments.select_related("unit").order_by("-submitted_at", "-id").iterator(chunk_size=2000)
    )
    response = HttpResponse(
        comments_xlsx(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, _filename(campaign, "xlsx"))
