"""The live progress board of one campaign, its self-refreshing body and its XLSX export.

Every view resolves the user's scope first: administrators, coordinators and auditors follow
the whole province, unit managers and viewers their units only, clerks nobody.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.campaigns.models import Campaign, Channel
from hailong.collection.models import CollectionMode
from hailong.core.charts import chart_html
from hailong.core.downloads import attachment
from hailong.core.formats import date_vn

from .alerts import alerts_collect
from .export import board_xlsx
from .selectors import Board, Scope, board_build, board_scope, refresh_seconds

View = Callable[..., HttpResponse]
PACE_SHOWN = 10  # pace alerts listed one by one; the rest are summed up (the table has them)


def board_required(view: View) -> View:
    """Sign-in, the campaign, then a role that reads the board; the view gets the scope."""

    @wraps(view)
    def wrapped(request: HttpRequest, code: str) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request"):
            # a board left open past the idle limit: reload the page, which asks to sign in
            # again, rather than swap the sign-in form into the board's body
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("progress:board", args=[code])
            return response
        return signed_in(request, code)

    @login_required
    def signed_in(request: HttpRequest, code: str) -> HttpResponse:
        campaign = get_object_or_404(Campaign.objects.select_related("instrument"), code=code)
        scope = board_scope(user=cast(User, request.user))
        if scope is None:
            return refused(
                request,
                "Bảng theo dõi tiến độ dành cho quản trị viên, cán bộ điều phối, kiểm toán viên,"
                " lãnh đạo đơn vị và người xem kết quả. Tài khoản của Ông/Bà không có vai trò nào"
                " trong số này nên không mở được bảng; nếu cần, xin liên hệ cán bộ điều phối của"
                " tỉnh",
                "the progress board is for administrators, coordinators, auditors, unit managers"
                " and viewers. Your account holds none of these roles, so it cannot open it; ask"
                " the province's coordinator if you need it",
            )
        return view(request, campaign, scope)

    return wrapped


def channel_label(source: str, mode: str) -> str:
    names = dict(Channel.choices)
    modes = dict(CollectionMode.choices)
    return f"{names.get(source, source)} · {modes.get(mode, mode)}"


def _chart(spec: dict[str, Any], *, title: str) -> str:
    """``chart_html``, kept a few minutes by its figures: the 30-second polls redraw nothing new."""
    key = (
        "progress:chart:"
        + hashlib.sha256(
            json.dumps([spec, title], sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    drawn = cache.get(key)
    if drawn is None:
        drawn = chart_html(spec, title=title)
        cache.set(key, drawn, 300)
    return str(drawn)


def _charts(board: Board) -> dict[str, str]:
    charts: dict[str, str] = {}
    channels = [
        {"label": channel_label(c["source"], c["mode"]), "n": c["counts"].accepted}
        for c in board.channels
        if c["counts"].accepted
    ]
    if channels:
        charts["channels"] = _chart(
            {
                "width": 320,
                "height": 24 * len(channels),
                "data": {"values": channels},
                "mark": {"type": "bar", "color": "#a3121b"},
                "encoding": {
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": _("Channel")},
                        {
                            "field": "n",
                            "type": "quantitative",
                            "title": _("Accepted answers"),
                            "format": ",d",
                        },
                    ],
                    "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
                    "x": {
                        "field": "n",
                        "type": "quantitative",
                        "title": _("Accepted answers"),
                        "axis": {"format": ",d", "tickMinStep": 1},
                    },
                },
            },
            title=_("Accepted answers per channel"),
        )
    days = [
        {"day": date_vn(d["day"])[:5], "n": d["counts"].accepted}
        for d in board.days
        if d["counts"].accepted
    ]
    if days:
        charts["days"] = _chart(
            {
                "width": max(240, 18 * len(days)),
                "height": 160,
                "data": {"values": days},
                "mark": {"type": "bar", "color": "#a3121b"},
                "encoding": {
                    "tooltip": [
                        {"field": "day", "type": "ordinal", "title": _("Day")},
                        {
                            "field": "n",
                            "type": "quantitative",
                            "title": _("Accepted answers"),
                            "format": ",d",
                        },
                    ],
                    "x": {"field": "day", "type": "ordinal", "sort": None, "title": None},
                    "y": {
                        "field": "n",
                        "type": "quantitative",
                        "title": _("Accepted answers"),
                        "axis": {"format": ",d", "tickMinStep": 1},
                    },
                },
            },
            title=_("Accepted answers per day"),
        )
    return charts


def _context(campaign: Campaign, scope: Scope) -> dict[str, Any]:
    board = board_build(campaign=campaign, scope=scope)
    alerts = alerts_collect(board, whole=scope.whole)
    pace = [a for a in alerts if a.kind == "pace"]
    return {
        "campaign": campaign,
        "board": board,
        "totals": board.totals,
        "alerts": [a for a in alerts if a.kind != "pace"] + pace[:PACE_SHOWN],
        "pace_more": max(0, len(pace) - PACE_SHOWN),
        "behind": {a.unit_id for a in pace},
        "charts": _charts(board),
        "channels": [
            {"label": channel_label(c["source"], c["mode"]), "counts": c["counts"]}
            for c in board.channels
        ],
        "whole": scope.whole,
        "now": timezone.localtime(board.generated_at),
        "refresh": refresh_seconds(),
    }


@require_safe
@board_required
def board(request: HttpRequest, campaign: Campaign, scope: Scope) -> HttpResponse:
    return render(request, "progress/board.html", _context(campaign, scope))


@require_safe
@board_required
def body(request: HttpRequest, campaign: Campaign, scope: Scope) -> HttpResponse:
    """The board without its page: what htmx swaps in every 30 seconds."""
    return render(request, "progress/_body.html", _context(campaign, scope))


@require_safe
@board_required
def export(request: HttpRequest, campaign: Campaign, scope: Scope) -> HttpResponse:
    board = board_build(campaign=campaign, scope=scope)
    alerts = alerts_collect(board, whole=scope.whole)
    response = HttpResponse(
        board_xlsx(board, alerts),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime(board.generated_at).strftime("%Y%m%d-%H%M")
    return attachment(response, f"tien-do-{campaign.code}-{stamp}.xlsx")
