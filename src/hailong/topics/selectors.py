"""Reading comments within a user's units: scope, search, counts per factor, tone, unit, time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.core.text import strip_diacritics, vietnamese_sort_key
from hailong.units.models import Unit

from .models import FACTOR_FIELDS, Comment, Tone

# Clerks enter answers and never read them back; everyone else reads within their units.
READERS: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.AUDITOR,
    Role.UNIT_MANAGER,
    Role.VIEWER,
)
FACTOR_LABELS = {
    "F1": _("Access to services"),
    "F2": _("Administrative procedures"),
    "F3": _("Civil servants"),
    "F4": _("Results received"),
    "F5": _("Feedback handling"),
    "other": _("Other"),
}
TONES = tuple(Tone.values)


def comment_units(*, user: User) -> QuerySet[Unit]:
    """The units whose comments the user may read (none for a clerk only)."""
    return units_in_scope(user=user, roles=READERS)


def comments_visible(*, user: User, campaign: Campaign) -> QuerySet[Comment]:
    """The campaign's comments in the user's units, of answers accepted at review.

    Every page and export starts here, so no filter a user sends can reach past it.
    """
    return Comment.objects.filter(
        campaign=campaign,
        unit__in=comment_units(user=user),
        response__review=Response.Review.ACCEPTED,
    )


def campaigns_readable(*, user: User) -> QuerySet[Campaign]:
    """Campaigns past their draft that cover at least one of the user's units."""
    return (
        Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .filter(scope__unit__in=comment_units(user=user))
        .distinct()
        .order_by("-year", "-period_start", "code")
    )


@dataclass(frozen=True)
class Filters:
    """A search: words (AND-ed, accent-insensitive), a unit subtree, factor, tone, dates."""

    words: str = ""
    unit: Unit | None = None
    factor: str = ""
    tone: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def comments_filter(comments: QuerySet[Comment], filters: Filters) -> QuerySet[Comment]:
    """Narrow ``comments`` (already limited to a user's scope) by a search."""
    for word in strip_diacritics(filters.words).lower().split():
        comments = comments.filter(search__contains=word)
    if filters.unit is not None:
        comments = comments.filter(unit__path__startswith=filters.unit.path)
    if filters.factor in FACTOR_FIELDS:
        comments = comments.filter(**{FACTOR_FIELDS[filters.factor]: True})
    if filters.tone in TONES:
        comments = comments.filter(tone=filters.tone)
    if filters.since is not None:
        comments = comments.filter(submitted_at__date__gte=filters.since)
    if filters.until is not None:
        comments = comments.filter(submitted_at__date__lte=filters.until)
    return comments


def topic_counts(comments: QuerySet[Comment]) -> dict[tuple[str, str], int]:
    """Comments per (factor, tone); a comment on two factors counts once under each."""
    fields = list(FACTOR_FIELDS.values())
    counts: Counter[tuple[str, str]] = Counter()
    for row in comments.order_by().values(*fields, "tone").annotate(n=Count("id")):
        for code, name in FACTOR_FIELDS.items():
            if row[name]:
                counts[(code, row["tone"])] += row["n"]
    return dict(counts)


def tone_counts(comments: QuerySet[Comment]) -> dict[str, int]:
    """Comments per tone (each comment once)."""
    rows = comments.order_by().values("tone").annotate(n=Count("id"))
    return {r["tone"]: r["n"] for r in rows}


def unit_counts(comments: QuerySet[Comment]) -> list[dict[str, Any]]:
    """Per unit: its code, name, comments per tone and in all, most comments first."""
    units: dict[int, dict[str, Any]] = {}
    rows = comments.order_by().values("unit_id", "unit__code", "unit__name", "tone")
    for r in rows.annotate(n=Count("id")):
        unit = units.setdefault(
            r["unit_id"],
            {"id": r["unit_id"], "code": r["unit__code"], "name": r["unit__name"], "total": 0}
            | dict.fromkeys(TONES, 0),
        )
        unit[r["tone"]] += r["n"]
        unit["total"] += r["n"]
    return sorted(units.values(), key=lambda u: (-u["total"], vietnamese_sort_key(u["name"])))


def time_counts(comments: QuerySet[Comment]) -> tuple[str, list[dict[str, Any]]]:
    """Comments per tone per month, or per week when they span less than three months."""
    span = comments.order_by().aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if span["first"] is None:
        return "month", []
    period = "month" if (span["last"] - span["first"]).days >= 84 else "week"
    trunc = TruncMonth if period == "month" else TruncWeek
    rows = (
        comments.order_by()
        .annotate(p=trunc("submitted_at"))
        .values("p", "tone")
        .annotate(n=Count("id"))
    )
    out: dict[dt.date, dict[str, Any]] = {}
    for r in rows:
        start = r["p"].date() if isinstance(r["p"], dt.datetime) else r["p"]
        row = out.setdefault(start, {"start": start, "total": 0} | dict.fromkeys(TONES, 0))
        row[r["tone"]] += r["n"]
        row["total"] += r["n"]
    return period, [out[k] for k in sorted(out)]


def examples(comments: QuerySet[Comment], *, factor: str, tone: str, n: int = 3) -> list[Comment]:
    """The latest ``n`` comments of one cell of the board."""
    cell = comments.filter(Q(**{FACTOR_FIELDS[factor]: True}), tone=tone)
    return list(cell.select_related("unit").order_by("-submitted_at", "-id")[:n])
