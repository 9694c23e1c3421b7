"""How collection is going: answers against quota per unit, per channel and per day.

Every figure comes from one GROUP BY over the campaign's answers (per unit and day, per
channel, per source point), so the board stays fast with hundreds of thousands of answers
on SQLite and PostgreSQL; the sums per unit and per day are made in Python from the
(unit, day) rows. The days before today are counted once and kept; a refresh counts today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.collection.models import WRITE_SLACK, Response
from hailong.core.text import vietnamese_sort_key
from hailong.units.models import Desk, Unit

BOARD_ROLES: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.AUDITOR,
    Role.UNIT_MANAGER,
    Role.VIEWER,
)
ACCEPTED, FLAGGED, REJECTED = (
    Response.Review.ACCEPTED,
    Response.Review.FLAGGED,
    Response.Review.REJECTED,
)


@dataclass(frozen=True)
class Scope:
    """The units a user may follow on the board; ``whole`` when that is the whole province."""

    whole: bool
    units: QuerySet[Unit]


def board_scope(*, user: User) -> Scope | None:
    """None when the user holds no role that may read the board (clerks, no role)."""
    units = units_in_scope(user=user, roles=BOARD_ROLES)
    whole = user.is_active and (
        user.is_superuser or user.roles.filter(role__in=BOARD_ROLES, unit__isnull=True).exists()
    )
    if not whole and not units.exists():
        return None
    return Scope(whole=bool(whole), units=units)


def top_condition(campaign: Campaign) -> tuple[Q, str]:
    """Which answer counts as the top one ("Rất hài lòng"), as a database condition.

    The overall question's highest option when the questionnaire has one; otherwise the
    highest option on every rated item the person answered (an item left out or "not
    applicable" is absent and does not break it). One respondent counts once either way,
    so the shares are proportions of independent people, as a two-proportion test needs.
    """
    form = campaign.instrument.to_core()
    overall = [q for q in form.questions() if q.role == "overall" and q.scale.options]
    if overall:
        q = overall[0]
        top = max(int(o.value) for o in q.scale.options)
        return Q(**{f"answers__{q.code}": top}), "overall"
    condition = Q()
    for item in form.items():
        if not item.scale.options:
            continue
        top = max(int(o.value) for o in item.scale.options)
        condition &= Q(**{f"answers__{item.code}": top}) | ~Q(answers__has_key=item.code)
    return condition & ~Q(answers={}), "every_item"


def local_day(field_name: str) -> Func:
    """The local calendar day of a timestamp, computed by the database itself.

    Django's ``TruncDate`` on SQLite calls back into Python for every row (45 µs each, some
    14 s for 300.000 answers); SQLite's own ``date(…, '+420 minutes')`` takes the zone's
    present offset instead, exact for zones without summer time such as Asia/Ho_Chi_Minh.
    """
    if connection.vendor == "sqlite":
        offset = timezone.localtime().utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds() // 60)
        return Func(
            F(field_name),
            Value(f"{minutes:+d} minutes"),
            function="date",
            output_field=DateField(),
        )
    return TruncDate(field_name)


def period_elapsed(campaign: Campaign, today: dt.date) -> tuple[int, int]:
    """(days fully past, days in the period): the pace a unit is held to by now."""
    total = (campaign.period_end - campaign.period_start).days + 1
    past = (today - campaign.period_start).days
    return max(0, min(past, total)), total


@dataclass
class Counts:
    accepted: int = 0
    flagged: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.flagged + self.rejected

    def add(self, review: str, n: int) -> None:
        if review == ACCEPTED:
            self.accepted += n
        elif review == FLAGGED:
            self.flagged += n
        else:
            self.rejected += n


@dataclass
class UnitRow:
    unit_id: int
    code: str
    name: str
    quota: int
    counts: Counts = field(default_factory=Counts)
    expected: float = 0.0
    # not rejected, and among them the top answer, per day: the alert rules read these
    days: dict[dt.date, tuple[int, int]] = field(default_factory=dict)

    @property
    def share_of_quota(self) -> float | None:
        return 100 * self.counts.accepted / self.quota if self.quota else None

    @property
    def pace(self) -> float | None:
        """Accepted answers as a percentage of those expected by now."""
        return 100 * self.counts.accepted / self.expected if self.expected else None

    @property
    def bar(self) -> int:
        share = self.share_of_quota
        return 0 if share is None else int(min(100.0, share))


@dataclass
class Board:
    campaign: Campaign
    today: dt.date
    days_past: int
    days_total: int
    units: list[UnitRow]
    channels: list[dict[str, Any]]
    days: list[dict[str, Any]]
    top_kind: str
    province_top: tuple[int, int]  # (people, of whom top) over the whole campaign
    generated_at: dt.datetime

    @property
    def totals(self) -> dict[str, Any]:
        accepted = sum(u.counts.accepted for u in self.units)
        quota = sum(u.quota for u in self.units)
        expected = sum(u.expected for u in self.units)
        return {
            "accepted": accepted,
            "flagged": sum(u.counts.flagged for u in self.units),
            "rejected": sum(u.counts.rejected for u in self.units),
            "quota": quota,
            "share": 100 * accepted / quota if quota else None,
            "expected": expected,
            "units": len(self.units),
        }


def refresh_seconds() -> int:
    """How often an open board asks for new figures (``HAILONG_PROGRESS_REFRESH_SECONDS``)."""
    return int(getattr(settings, "HAILONG_PROGRESS_REFRESH_SECONDS", 30))


def cache_seconds() -> int:
    """How long one grouped scan serves every board: two thirds of the refresh interval."""
    return max(1, refresh_seconds() * 2 // 3)


SAFE_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def top_expression(campaign: Campaign) -> tuple[Any, str]:
    """``top_condition`` as a 0/1 SQL expression: one JSON lookup per item, short-circuited.

    The ORM's JSON comparisons cost SQLite two JSON calls per item and row; this costs one,
    and stops at the first item below the top. Question codes are checked to be plain names
    before they go into the SQL; anything else falls back to the ORM condition.
    """
    condition, kind = top_condition(campaign)
    form = campaign.instrument.to_core()
    if kind == "overall":
        q = next(q for q in form.questions() if q.role == "overall" and q.scale.options)
        wanted = [(q.code, max(int(o.value) for o in q.scale.options), False)]
    else:
        wanted = [
            (q.code, max(int(o.value) for o in q.scale.options), True)
            for q in form.items()
            if q.scale.options
        ]
    if not all(SAFE_CODE.match(code) for code, _top, _absent in wanted):
        return Case(When(condition, then=1), default=0, output_field=IntegerField()), kind
    parts = []
    for code, top, absent_ok in wanted:
        if connection.vendor == "postgresql":
            value = f'("collection_response"."answers" ->> \'{code}\')'
            parts.append(
                f"COALESCE({value}, '{top}') = '{top}'" if absent_ok else f"{value} = '{top}'"
            )
        else:
            value = f'json_extract("collection_response"."answers", \'$."{code}"\')'
            parts.append(f"COALESCE({value}, {top}) = {top}" if absent_ok else f"{value} = {top}")
    if kind == "every_item":
        empty = "'{}'::jsonb" if connection.vendor == "postgresql" else "'{}'"
        parts.append(f'"collection_response"."answers" <> {empty}')
    sql = "CASE WHEN " + " AND ".join(parts) + " THEN 1 ELSE 0 END"
    return RawSQL(sql, [], output_field=IntegerField()), kind  # noqa: S611 - codes checked above


def campaign_counts(campaign: Campaign) -> list[tuple[Any, ...]]:
    """(unit, local day, review, channel, mode, answers, top answers) for the whole campaign.

    Grouped at the finest grain the board shows; every user's board is cut from it in Python.
    The days before today are counted once and kept (``_past_counts``); each refresh counts
    only today's answers, found through the index on ``changed_at``. So a campaign of
    300.000 answers costs one full scan a day, not one per ``cache_seconds()``.
    """
    key = f"progress:counts:{campaign.pk}"
    found = cache.get(key)
    if found is None:
        start = _start_of_today()
        found = _past_counts(campaign, start) + _grouped(
            Response.objects.filter(
                campaign=campaign, changed_at__gte=start, submitted_at__gte=start
            ),
            campaign,
        )
        cache.set(key, found, cache_seconds())
    return found


PAST_KEPT_SECONDS = 15 * 60  # a safety net: deleted answers leave no trace to look for


def _past_counts(campaign: Campaign, start: dt.datetime) -> list[tuple[Any, ...]]:
    """The counts of the days before ``start``, kept until an answer of those days changes.

    An answer given before today changes only by review, late entry or import, and each sets
    ``changed_at``: the kept counts stand while no answer dated before today has changed
    since they were counted (an indexed look at the answers changed since). The count's
    moment is taken ``WRITE_SLACK`` before the scan, so a write committed late is looked at
    again. Deleting answers leaves no trace: the counts are kept 15 minutes at most.
    """
    key = f"progress:past:{campaign.pk}"
    kept = cache.get(key)
    if kept is not None and kept["start"] == start:
        changed = Response.objects.filter(
            campaign=campaign, changed_at__gt=kept["counted_at"], submitted_at__lt=start
        ).exists()
        if not changed:
            return list(kept["rows"])
    counted_at = timezone.now() - WRITE_SLACK
    rows = _grouped(Response.objects.filter(campaign=campaign, submitted_at__lt=start), campaign)
    cache.set(key, {"start": start, "counted_at": counted_at, "rows": rows}, PAST_KEPT_SECONDS)
    return rows


def _grouped(answers: QuerySet[Response], campaign: Campaign) -> list[tuple[Any, ...]]:
    top, _kind = top_expression(campaign)
    return list(
        answers.annotate(day=local_day("submitted_at"))
        .values_list("unit_id", "day", "review", "source", "collection_mode")
        .annotate(n=Count("id"), top=Sum(top))
        .order_by()
    )


def _start_of_today() -> dt.datetime:
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def board_build(*, campaign: Campaign, scope: Scope, today: dt.date | None = None) -> Board:
    """The board's figures for the units in ``scope``: one cached grouped scan, one lookup."""
    today = today or timezone.localdate()
    past, total = period_elapsed(campaign, today)
    _top, top_kind = top_expression(campaign)
    allowed = None if scope.whole else set(scope.units.values_list("pk", flat=True))
    rows: dict[int, UnitRow] = {}
    for unit_id, code, name, quota in campaign.scope.values_list(
        "unit_id", "unit__code", "unit__name", "quota"
    ):
        if allowed is None or unit_id in allowed:
            rows[unit_id] = UnitRow(
                unit_id=unit_id, code=code, name=name, quota=quota, expected=quota * past / total
            )
    counts = campaign_counts(campaign)
    strays = {r[0] for r in counts} - set(rows)
    if allowed is not None:
        strays &= allowed
    for unit_id, code, name in Unit.objects.filter(pk__in=strays).values_list("pk", "code", "name"):
        # answers for a unit that has left the campaign's scope: still shown, without quota
        rows[unit_id] = UnitRow(unit_id=unit_id, code=code, name=name, quota=0)
    per_day: dict[dt.date, Counts] = defaultdict(Counts)
    per_channel: dict[tuple[str, str], Counts] = defaultdict(Counts)
    people = people_top = 0
    for unit_id, day, review, source, mode, n, top in counts:
        top = int(top or 0)
        if review != REJECTED:
            people += n
            people_top += top
        row = rows.get(unit_id)
        if row is None:
            continue
        row.counts.add(review, n)
        per_day[day].add(review, n)
        per_channel[(source, mode)].add(review, n)
        if review != REJECTED:
            had, had_top = row.days.get(day, (0, 0))
            row.days[day] = (had + n, had_top + top)
    units = sorted(
        rows.values(),
        key=lambda r: (
            r.pace if r.pace is not None else float("inf"),
            vietnamese_sort_key(r.name),
        ),
    )
    return Board(
        campaign=campaign,
        today=today,
        days_past=past,
        days_total=total,
        units=units,
        channels=[
            {"source": s, "mode": m, "counts": per_channel[(s, m)]} for s, m in sorted(per_channel)
        ],
        days=[{"day": d, "counts": per_day[d]} for d in sorted(per_day)],
        top_kind=top_kind,
        province_top=(people, people_top),  # every unit's, though only the user's are listed
        generated_at=timezone.now(),
    )


@dataclass(frozen=True)
class SourcePoint:
    """Where answers come from: a kiosk or integrating system (device), else a desk."""

    kind: str  # "kiosk", "system" or "desk"
    key: str
    label: str
    unit_id: int
    unit_name: str


def source_volumes(*, campaign: Campaign, since: dt.datetime) -> list[tuple[SourcePoint, int]]:
    """Answers per device or desk since ``since``, for the whole province (peers need all)."""
    grouped = (
        Response.objects.filter(campaign=campaign, submitted_at__gte=since)
        .exclude(device="", desk__isnull=True)
        .values("unit_id", "unit__name", "desk_id", "device")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = list(grouped)
    desks = dict(
        Desk.objects.filter(pk__in={r["desk_id"] for r in rows if r["desk_id"]}).values_list(
            "pk", "name"
        )
    )
    from hailong.kiosks.models import Kiosk

    kiosks = {
        k.device: k.name
        for k in Kiosk.objects.filter(
            prefix__in={r["device"].split(":", 1)[-1] for r in rows if r["device"]}
        )
    }
    merged: dict[tuple[str, str, int], list[Any]] = {}
    for r in rows:
        device = r["device"]
        if device:
            kind = "kiosk" if device.startswith("kiosk:") else "system"
            key, label = device, kiosks.get(device, device)
        else:
            kind, key, label = "desk", str(r["desk_id"]), desks.get(r["desk_id"], "")
        slot = merged.setdefault((kind, key, r["unit_id"]), [label, r["unit__name"], 0])
        slot[2] += r["n"]
    return [
        (SourcePoint(kind, key, label, unit_id, unit_name), n)
        for (kind, key, unit_id), (label, unit_name, n) in merged.items()
    ]


def arrivals(
    *, campaign: Campaign, since: dt.datetime, unit_ids: set[int] | None
) -> dict[tuple[int, int | None], list[dt.datetime]]:
    """Submission times since ``since`` per (unit, desk), in order: the burst rule reads them."""
    answers = Response.objects.filter(campaign=campaign, submitted_at__gte=since).exclude(
        review=REJECTED
    )
    if unit_ids is not None:
        answers = answers.filter(unit_id__in=unit_ids)
    found: dict[tuple[int, int | None], list[dt.datetime]] = defaultdict(list)
    for unit_id, desk_id, at in answers.order_by("submitted_at").values_list(
        "unit_id", "desk_id", "submitted_at"
    ):
        found[(unit_id, desk_id)].append(at)
    return found
