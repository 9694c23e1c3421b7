"""Change since the previous campaign, and rankings that show their uncertainty.

A unit is never shown as "last" when it is statistically tied: every rank comes with a
rank interval, from a parametric bootstrap of the units' indices.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .intervals import critical_value


@dataclass(frozen=True)
class Change:
    """``delta = current − previous`` with its standard error and a significance flag."""

    delta: float
    se: float | None
    significant: bool | None


def change(
    current: float | None,
    current_se: float | None,
    previous: float | None,
    previous_se: float | None,
    *,
    confidence: float = 0.95,
) -> Change | None:
    """Difference of two independent estimates.

    Notes
    -----
    ``se = sqrt(se_current² + se_previous²)`` (independent samples in different years);
    the change is significant when ``|delta| > z · se``. Without both standard errors the
    change is reported with ``significant = None`` (unknown), never as significant.
    None when either estimate is missing: "no data", not a change of 0.
    """
    if current is None or previous is None:
        return None
    delta = current - previous
    if current_se is None or previous_se is None:
        return Change(delta=delta, se=None, significant=None)
    se = math.sqrt(current_se**2 + previous_se**2)
    return Change(delta=delta, se=se, significant=abs(delta) > critical_value(confidence) * se)


def interval_se(
    se: float | None, low: float | None, high: float | None, *, confidence: float = 0.95
) -> float | None:
    """The standard error a published interval stands for, for comparing and ranking.

    Notes
    -----
    ``se* = max(se, (high − low) / (2 z))``. Where every respondent gave the top (or bottom)
    answer the linearized ``se`` is 0 and the published interval is the Wilson floor
    (docs/intervals.md): comparing or ranking with ``se = 0`` would fix that unit's rank and
    call any change significant, beside an interval that says 81,6–100. Where the published
    interval is the linearized one, ``se* = se`` (an interval clipped at 0 or 100 is narrower
    than ``2 z se``, so it never lowers ``se``). None when there is neither.
    """
    width = None if low is None or high is None else (high - low) / (2 * critical_value(confidence))
    if se is None:
        return width
    return se if width is None else max(se, width)


@dataclass(frozen=True)
class Ranked:
    key: Hashable
    rank: int
    rank_low: int
    rank_high: int


def competition_ranks(values: Mapping[Hashable, float]) -> dict[Hashable, int]:
    """Rank 1 for the highest value; equal values share the best rank ("1, 2, 2, 4")."""
    ordered = sorted(values.values(), reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {k: first[v] for k, v in values.items()}


def rank(
    estimates: Mapping[Hashable, tuple[float, float | None]],
    *,
    draws: int = 2000,
    confidence: float = 0.95,
    seed: int = 20_171_010,
) -> list[Ranked]:
    """Rank units by their index, with rank intervals.

    Parameters
    ----------
    estimates : mapping
        Unit key → (index, standard error). Pass only units with enough answers: a unit
        flagged "not enough answers" is never ranked.
    draws : int
        Bootstrap draws (default 2000).
    seed : int
        Fixed, so that a published ranking can be reproduced.

    Notes
    -----
    Each draw takes every unit's index from ``N(index, se²)`` and ranks the draw; the rank
    interval is the central ``confidence`` range of a unit's ranks over the draws. A unit
    with no standard error keeps its point value in every draw. Ranks are competition
    ranks (ties share the best rank).
    """
    if not estimates:
        return []
    keys = sorted(estimates, key=str)  # the draws must not depend on the input's order
    point = np.array([estimates[k][0] for k in keys], dtype=float)
    se = np.array([estimates[k][1] or 0.0 for k in keys], dtype=float)
    rng = np.random.default_rng(seed)
    sample = point + rng.standard_normal((draws, len(keys))) * se
    # rank 1 = highest: count of others strictly above, plus one
    order = np.argsort(-sample, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(draws)[:, None]
    ranks[rows, order] = np.arange(1, len(keys) + 1)
    alpha = (1 - confidence) / 2
    low = np.floor(np.quantile(ranks, alpha, axis=0, method="lower")).astype(int)
    high = np.ceil(np.quantile(ranks, 1 - alpha, axis=0, method="higher")).astype(int)
    points = competition_ranks({k: float(v) for k, v in zip(keys, point, strict=True)})
    out = [
        Ranked(
            key=k,
            rank=points[k],
            rank_low=min(int(low[i]), points[k]),
            rank_high=max(int(high[i]), points[k]),
        )
        for i, k in enumerate(keys)
    ]
    return sorted(out, key=lambda r: (r.rank, str(r.key)))


def tied_with(ranked: Sequence[Ranked], key: Hashable) -> list[Hashable]:
    """Units whose rank intervals overlap the given unit's: not distinguishable from it."""
    me = next(r for r in ranked if r.key == key)
    return [
        r.key
        for r in ranked
        if r.key != key and r.rank_low <= me.rank_high and me.rank_low <= r.rank_high
    ]
