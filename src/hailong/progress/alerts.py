"""What looks wrong on the board: plain rules, each explained in one sentence with its numbers.

Every threshold is a named constant below. The rules only point at something a person should
look into (a unit behind, a tablet sending too much, a share of "Rất hài lòng" that jumps,
answers arriving in bursts, the signs of staff rating themselves); they never change an answer.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hailong.core.formats import number_vn, percent_vn
from hailong.units.models import Desk, Unit

from .selectors import (
    Board,
    Scope,
    SourcePoint,
    UnitRow,
    arrivals,
    board_build,
    cache_seconds,
    source_volumes,
)

# Pace: a unit is behind when its accepted answers are under this share of those expected by
# now (quota × days past ÷ days in the period), once at least MIN_EXPECTED are expected.
PACE_FLOOR = 0.6
MIN_EXPECTED = 10.0
# Volume: a device or desk is unusual when its robust z-score (0,6745 × distance from the
# peers' median ÷ their median absolute deviation; Iglewicz & Hoaglin) exceeds this, among at
# least MIN_PEERS peers of its kind, and it sent at least MIN_VOLUME answers.
ROBUST_Z = 3.5
MIN_PEERS = 5
MIN_VOLUME = 20
# Top-answer jumps: a one-sided two-proportion z-test, Bonferroni-corrected over the units
# tested, each group with at least MIN_GROUP people, and a rise of at least MIN_RISE points
# (with very many answers a tiny rise is "significant" without meaning anything).
ALPHA = 0.01
MIN_GROUP = 20
MIN_RISE = 10.0
RECENT_DAYS = 3
# Bursts: at least BURST_MIN answers within BURST_MINUTES where the unit's usual rate
# (answers per opening hour on the days it had answers) makes that chance below BURST_P —
# the chance that ANY window in the period is that full, not one window chosen in advance
# (the densest window is the maximum of many, so one window's tail would cry wolf).
BURST_MINUTES = 10
BURST_MIN = 8
BURST_P = 1e-6
OPEN_HOURS = 9.0


@dataclass(frozen=True)
class Alert:
    kind: str  # "pace", "volume", "jump", "burst"
    unit_id: int
    text: str
    severity: float  # larger first, within a kind
    against: str = ""  # a jump: "own" earlier days or the rest of the "province"


def _n(value: float) -> str:
    return number_vn(value)


def pace_alerts(units: Iterable[UnitRow]) -> list[Alert]:
    found = []
    for u in units:
        if u.expected < MIN_EXPECTED or u.counts.accepted >= PACE_FLOOR * u.expected:
            continue
        ratio = 100 * u.counts.accepted / u.expected
        text = _(
            "%(unit)s is behind: %(n)s accepted answers, %(ratio)s of the %(expected)s expected "
            "by now (quota %(quota)s)."
        ) % {
            "unit": u.name,
            "n": _n(u.counts.accepted),
            "ratio": percent_vn(ratio, 0),
            "expected": _n(u.expected),
            "quota": _n(u.quota),
        }
        found.append(Alert("pace", u.unit_id, text, 100 - ratio))
    return sorted(found, key=lambda a: -a.severity)


def robust_z(value: float, peers: Sequence[float]) -> float | None:
    """Iglewicz–Hoaglin modified z-score; None when the peers do not vary at all."""
    median = statistics.median(peers)
    mad = statistics.median(abs(p - median) for p in peers)
    if mad > 0:
        return 0.6745 * (value - median) / mad
    mean_ad = statistics.fmean(abs(p - median) for p in peers)
    if mean_ad > 0:  # more than half the peers equal: the mean absolute deviation instead
        return (value - median) / (1.253314 * mean_ad)
    return None


def volume_alerts(
    volumes: Sequence[tuple[SourcePoint, int]], *, days: int, unit_ids: set[int] | None
) -> list[Alert]:
    """Devices and desks far above their peers of the same kind (the whole province's)."""
    kinds = {
        "kiosk": _("kiosk"),
        "system": _("integrating system"),
        "desk": _("desk"),
    }
    found = []
    for kind, kind_label in kinds.items():
        group = [(p, n) for p, n in volumes if p.kind == kind]
        if len(group) < MIN_PEERS + 1:
            continue
        for point, n in group:
            if n < MIN_VOLUME or (unit_ids is not None and point.unit_id not in unit_ids):
                continue
            peers = [m for p, m in group if p != point]
            z = robust_z(n, peers)
            if z is None or z <= ROBUST_Z:
                continue
            text = _(
                "The %(kind)s %(label)s of %(unit)s sent %(n)s answers in the last %(days)s days; "
                "its peers usually send about %(median)s (%(peers)s %(kind)ss compared)."
            ) % {
                "kind": kind_label,
                "label": point.label or point.key,
                "unit": point.unit_name,
                "n": _n(n),
                "days": days,
                "median": number_vn(statistics.median(peers), 0),
                "peers": _n(len(peers)),
            }
            found.append(Alert("volume", point.unit_id, text, z))
    return sorted(found, key=lambda a: -a.severity)


def two_proportion_p(top1: int, n1: int, top0: int, n0: int) -> float:
    """One-sided p-value that the first share is higher (pooled two-proportion z-test)."""
    pooled = (top1 + top0) / (n1 + n0)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (top1 / n1 - top0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return 0.5 * math.erfc(z / math.sqrt(2))


def jump_alerts(
    units: Sequence[UnitRow],
    *,
    as_of: dt.date,
    province: tuple[int, int],
    tested: int | None = None,
) -> list[Alert]:
    """Units whose share of the top answer rose against their own earlier days or the province.

    ``province`` is (people, of whom top) over every unit; ``tested`` the number of units the
    Bonferroni correction counts (all units in the campaign, not only those listed).
    """
    m = max(1, tested if tested is not None else len(units))
    level = ALPHA / m
    start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    found = []
    for u in units:
        recent_n = sum(n for d, (n, _t) in u.days.items() if start <= d <= as_of)
        recent_t = sum(t for d, (_n, t) in u.days.items() if start <= d <= as_of)
        early_n = sum(n for d, (n, _t) in u.days.items() if d < start)
        early_t = sum(t for d, (_n, t) in u.days.items() if d < start)
        if min(recent_n, early_n) >= MIN_GROUP:
            rise = 100 * (recent_t / recent_n - early_t / early_n)
            p = two_proportion_p(recent_t, recent_n, early_t, early_n)
            if rise >= MIN_RISE and p < level:
                text = _(
                    "%(unit)s: %(recent)s of the %(n1)s answers of the last %(days)s days gave "
                    "the top answer (Very satisfied), against %(early)s of %(n0)s before; a "
                    "rise this large happens by chance less than once in %(odds)s."
                ) % {
                    "unit": u.name,
                    "recent": percent_vn(100 * recent_t / recent_n, 0),
                    "n1": _n(recent_n),
                    "days": RECENT_DAYS,
                    "early": percent_vn(100 * early_t / early_n, 0),
                    "n0": _n(early_n),
                    "odds": _odds(p),
                }
                found.append(Alert("jump", u.unit_id, text, rise, "own"))
                continue
        n = recent_n + early_n
        t = recent_t + early_t
        rest_n, rest_t = province[0] - n, province[1] - t
        if min(n, rest_n) >= MIN_GROUP:
            rise = 100 * (t / n - rest_t / rest_n)
            p = two_proportion_p(t, n, rest_t, rest_n)
            if rise >= MIN_RISE and p < level:
                text = _(
                    "%(unit)s: %(share)s of its %(n)s answers gave the top answer (Very "
                    "satisfied), against %(rest)s in the rest of the province; a gap this large "
                    "happens by chance less than once in %(odds)s."
                ) % {
                    "unit": u.name,
                    "share": percent_vn(100 * t / n, 0),
                    "n": _n(n),
                    "rest": percent_vn(100 * rest_t / rest_n, 0),
                    "odds": _odds(p),
                }
                found.append(Alert("jump", u.unit_id, text, rise, "province"))
    return sorted(found, key=lambda a: -a.severity)


def _odds(p: float) -> str:
    """1 / p rounded down to a round figure: 'once in 10.000'."""
    if p <= 0:
        return number_vn(10**9)
    exponent = min(9, math.floor(math.log10(1 / p)))
    return number_vn(10**exponent)


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for a Poisson count with this mean."""
    if mean <= 0:
        return 0.0 if k > 0 else 1.0
    term = math.exp(-mean)
    below = 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


def densest(times: Sequence[dt.datetime], minutes: int) -> tuple[int, int]:
    """(most answers within any window of ``minutes``, index of its first answer); times sorted."""
    width = dt.timedelta(minutes=minutes)
    best, best_at, j = 0, 0, 0
    for i, at in enumerate(times):
        while at - times[j] > width:
            j += 1
        if i - j + 1 > best:
            best, best_at = i - j + 1, j
    return best, best_at


def burst_alerts(
    arrivals: dict[tuple[int, int | None], list[dt.datetime]],
    *,
    hourly: dict[int, float],
    names: dict[int, str],
    desks: dict[int, str],
) -> list[Alert]:
    """Answers from one unit (or one of its desks) arriving far faster than the unit usually gets them.

    ``hourly`` is each unit's usual answers per opening hour; a desk is held to its whole
    unit's rate, which can only make the rule quieter.
    """
    found = []
    for (unit_id, desk_id), times in arrivals.items():
        count, first = densest(times, BURST_MINUTES)
        if count < BURST_MIN:
            continue
        rate = hourly.get(unit_id, 0.0)
        expected = rate * BURST_MINUTES / 60
        # Union bound over the windows that start at an answer: given an answer at its start,
        # a Poisson stream puts Poisson(expected) more in the window (Palm), so
        # P(some window holds ≥ count) ≤ n × P(X ≥ count − 1).
        if len(times) * poisson_tail(count - 1, expected) >= BURST_P:
            continue
        where = names.get(unit_id, "")
        if desk_id is not None and desks.get(desk_id):
            where = f"{where} – {desks[desk_id]}"
        at = timezone.localtime(times[first]) if timezone.is_aware(times[first]) else times[first]
        text = _(
            "%(where)s: %(count)s answers within %(minutes)s minutes from %(time)s on %(day)s, "
            "while it usually receives about %(rate)s an hour."
        ) % {
            "where": where,
            "count": _n(count),
            "minutes": BURST_MINUTES,
            "time": at.strftime("%H:%M"),
            "day": at.strftime("%d/%m/%Y"),
            "rate": number_vn(rate, 1),
        }
        found.append(Alert("burst", unit_id, text, count / max(expected, 1e-9)))
    return sorted(found, key=lambda a: -a.severity)


def hourly_rates(units: Iterable[UnitRow]) -> dict[int, float]:
    """Each unit's usual answers per opening hour: answers ÷ (days with answers × OPEN_HOURS)."""
    rates = {}
    for u in units:
        days = [n for n, _t in u.days.values() if n]
        if days:
            rates[u.unit_id] = sum(days) / (len(days) * OPEN_HOURS)
    return rates


def alerts_collect(board: Board, *, whole: bool) -> list[Alert]:
    """Every rule, jumps and bursts first, then volumes, then pace; only about the board's units.

    The rules run over the whole province (peers, the province reference and the Bonferroni
    count are the same for everyone), cached per campaign and language for ``cache_seconds()``;
    a unit manager's board then keeps the alerts about their own units and nothing else.
    """
    key = f"progress:alerts:{board.campaign.pk}:{board.today}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        province = (
            board
            if whole
            else board_build(
                campaign=board.campaign, scope=Scope(whole=True, units=Unit.objects.all()),
                today=board.today,
            )
        )  # fmt: skip
        found = _province_alerts(province)
        cache.set(key, found, cache_seconds())
    if whole:
        return list(found)
    mine = {u.unit_id for u in board.units}
    return [a for a in found if a.unit_id in mine]


def _province_alerts(board: Board) -> list[Alert]:
    campaign = board.campaign
    as_of = min(board.today, campaign.period_end)
    start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    listed = [u for u in board.units if u.quota or u.counts.total]
    jumps = jump_alerts(
        listed, as_of=as_of, province=board.province_top, tested=campaign.scope.count()
    )
    found = arrivals(campaign=campaign, since=since, unit_ids=None)
    desk_names = dict(
        Desk.objects.filter(pk__in={d for _u, d in found if d}).values_list("pk", "name")
    )
    bursts = burst_alerts(
        found,
        hourly=hourly_rates(board.units),
        names={u.unit_id: u.name for u in board.units},
        desks=desk_names,
    )
    volumes = volume_alerts(
        source_volumes(campaign=campaign, since=since), days=RECENT_DAYS, unit_ids=None
    )
    return jumps + bursts + volumes + pace_alerts(board.units)
