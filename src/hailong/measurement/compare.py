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
    current_se: Sides | float | None,
    previous: float | None,
    previous_se: Sides | float | None,
    *,
    confidence: float = 0.95,
) -> Change | None:
    """Difference of two independent estimates.

    Notes
    -----
    ``se = sqrt(se_current² + se_previous²)`` (independent samples in different years);
    the change is significant when ``|delta| > z · se``. A standard error given as its two
    sides (``interval_sides``) contributes the side facing the other estimate: for a fall,
    how high this year could be and how low last year could have been. Without both standard
    errors the change is reported with ``significant = None`` (unknown), never as
    significant. None when either estimate is missing: "no data", not a change of 0.
    """
    if current is None or previous is None:
        return None
    delta = current - previous
    current_se = _facing(current_se, upward=delta < 0)
    previous_se = _facing(previous_se, upward=delta > 0)
    if current_se is None or previous_se is None:
        return Change(delta=delta, se=None, significant=None)
    se = math.sqrt(current_se**2 + previous_se**2)
    return Change(delta=delta, se=se, significant=abs(delta) > critical_value(confidence) * se)


Sides = tuple[float, float]  # the standard error below and above an estimate


def interval_sides(
    index: float | None,
    se: float | None,
    low: float | None,
    high: float | None,
    *,
    confidence: float = 0.95,
) -> Sides | float | None:
    """The standard errors a published interval stands for, below and above its estimate.

    Notes
    -----
    ``below = max(se, (index − low) / z)``, ``above = max(se, (high − index) / z)``. Where
    every respondent gave the top (or bottom) answer the linearized ``se`` is 0 and the
    published interval is a Wilson floor (docs/intervals.md), one-sided at the bound: 100 with
    81,6–100 gives ``below = 9,4`` and ``above = 0``. Comparing or ranking with ``se = 0``
    would fix such a unit's rank and call any change significant; a symmetric ``se`` would let
    it be drawn above 100. Where the published interval is the linearized one, both sides are
    ``se`` (an interval clipped at 0 or 100 is narrower, so it never lowers ``se``). Without
    an interval, ``se`` itself; None when there is neither.
    """
    if index is None or low is None or high is None:
        return se
    z = critical_value(confidence)
    base = se or 0.0
    return (max(base, (index - low) / z), max(base, (high - index) / z))


def _facing(sides: Sides | float | None, upward: bool) -> float | None:
    """The side of an estimate's uncertainty that faces the other estimate."""
    if sides is None or isinstance(sides, float | int):
        return sides
    return sides[1] if upward else sides[0]


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
    estimates: Mapping[Hashable, tuple[float, Sides | float | None]],
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
    interval is the central ``confidence`` range of a unit's ranks over the draws. A standard
    error given as two sides (``interval_sides``) draws from the two-piece normal with those
    sides (a unit at 100 % with 81,6–100 is drawn only below 100). A unit with no standard
    error keeps its point value in every draw. Ranks are competition ranks (ties share the
    best rank).
    """
    if not estimates:
        return []
    keys = sorted(estimates, key=str)  # the draws must not depend on the input's order
    point = np.array([estimates[k][0] for k in keys], dtype=float)
    sides = [estimates[k][1] for k in keys]
    below = np.array([_facing(x, upward=False) or 0.0 for x in sides], dtype=float)
    above = np.array([_facing(x, upward=True) or 0.0 for x in sides], dtype=float)
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal((draws, len(keys)))
    sample = point + normal * np.where(normal < 0, below, above)
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
