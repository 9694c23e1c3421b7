"""An independent, deliberately plain implementation of the indices, for the tests.

It walks respondents one by one in Python: no SQL, no sufficient statistics, no shared code
with the engine beyond reading the instrument. Where the engine and this file agree, the
engine's shortcuts (level counts, cell sums) are right.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from typing import Any

from hailong.measurement import Instrument


def score(instrument: Instrument, code: str, value: int) -> float | None:
    q = instrument.question(code)
    if value not in q.scale.values:
        return None
    rule = instrument.aggregation.item
    lo, hi = min(q.scale.values), max(q.scale.values)
    if rule == "share_satisfied":
        return 100.0 if value in q.scale.top else 0.0
    if rule == "mean_score":
        return float(value)
    return 100.0 * (value - lo) / (hi - lo)


def item_index(
    instrument: Instrument, rows: list[dict[str, Any]], code: str, weight: str | None = None
) -> float | None:
    num = den = 0.0
    for r in rows:
        v = r.get(code)
        s = score(instrument, code, v) if v is not None else None
        if s is None:
            continue
        w = r[weight] if weight else 1.0
        num += w * s
        den += w
    return num / den if den else None


def factor_weights(instrument: Instrument, factor_code: str) -> dict[str, Fraction]:
    f = next(f for f in instrument.factors if f.code == factor_code)
    if f.rule == "weighted":
        return dict(f.weights)
    if f.rule == "direct":
        return {f.question: Fraction(1)}  # type: ignore[dict-item]
    items = [q.code for q in instrument.items(factor_code)]
    return {c: Fraction(1, len(items)) for c in items}


def factor_index(
    instrument: Instrument, rows: list[dict[str, Any]], factor_code: str, weight: str | None = None
) -> float | None:
    weights = factor_weights(instrument, factor_code)
    present = {
        c: w for c, w in weights.items() if item_index(instrument, rows, c, weight) is not None
    }
    if not present:
        return None
    total = sum(present.values())
    return sum(
        float(w / total) * item_index(instrument, rows, c, weight) for c, w in present.items()
    )  # type: ignore[operator]


def overall_index(
    instrument: Instrument, rows: list[dict[str, Any]], weight: str | None = None
) -> float | None:
    agg = instrument.aggregation
    if agg.overall == "direct":
        return item_index(instrument, rows, agg.question, weight)  # type: ignore[arg-type]
    factors = [f.code for f in instrument.factors]
    values = {f: factor_index(instrument, rows, f, weight) for f in factors}
    if any(v is None for v in values.values()):
        return None
    if agg.overall == "mean_of_factors":
        result = sum(values.values()) / len(values)  # type: ignore[arg-type]
    elif agg.overall == "mean_of_parts":
        parts = defaultdict(list)
        for f in instrument.factors:
            parts[f.part].append(values[f.code])
        result = sum(sum(v) / len(v) for v in parts.values()) / len(parts)  # type: ignore[arg-type]
    else:
        result = 0.0
        for key, w in agg.weights:
            members = [f.code for f in instrument.factors if f.part == key] or [key]
            result += float(w) * sum(values[m] for m in members) / len(members)  # type: ignore[misc]
    return result * float(agg.multiplier)


def linear_coefficients(
    instrument: Instrument,
    rows: list[dict[str, Any]],
    factors: list[str],
    factor_share: dict[str, float],
    weight: str | None,
) -> dict[str, float] | None:
    out: dict[str, float] = {}
    for f in factors:
        weights = factor_weights(instrument, f)
        present = {
            c: w for c, w in weights.items() if item_index(instrument, rows, c, weight) is not None
        }
        if not present:
            return None
        total = sum(present.values())
        for c, w in present.items():
            out[c] = out.get(c, 0.0) + factor_share[f] * float(w / total)
    return out


def linearized_variance(
    instrument: Instrument,
    rows: list[dict[str, Any]],
    coef: dict[str, float],
    weight: str | None = None,
    cluster: str | None = None,
) -> float | None:
    """Var of Σ a_j I_j: per-respondent z_i, summed per cluster when asked."""
    W = {
        c: sum(
            (r[weight] if weight else 1.0)
            for r in rows
            if r.get(c) is not None and score(instrument, c, r[c]) is not None
        )
        for c in coef
    }
    p = {c: item_index(instrument, rows, c, weight) for c in coef}
    contributions: dict[Any, float] = defaultdict(float)
    answered = 0
    for i, r in enumerate(rows):
        w = r[weight] if weight else 1.0
        zi = 0.0
        any_answer = False
        for c, a in coef.items():
            v = r.get(c)
            s = score(instrument, c, v) if v is not None else None
            if s is None:
                continue
            any_answer = True
            zi += w * a * (s - p[c]) / W[c]  # type: ignore[operator]
        answered += any_answer
        contributions[r[cluster] if cluster else i] += zi
    if cluster:
        C = len(contributions)
        return sum(z * z for z in contributions.values()) * C / (C - 1) if C > 1 else None
    n = answered
    return sum(z * z for z in contributions.values()) * n / (n - 1) if n > 1 else None


def wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def composite_interval(
    instrument: Instrument,
    rows: list[dict[str, Any]],
    coef: dict[str, float],
    value: float,
    variance: float,
    *,
    floor: float = 0.0,
    ceiling: float = 100.0,
    weight: str | None = None,
    deff: float | None = None,
    z: float = 1.959963984540054,
) -> tuple[float, float]:
    """The linearized interval, stretched to cover a Wilson interval as if the composite's
    answers were all independent shares: ``n_W`` = respondents × mean Kish ratio of the items
    × effective number of items, divided by a design effect above 1."""
    respondents = 0
    for r in rows:
        if any(r.get(c) is not None and score(instrument, c, r[c]) is not None for c in coef):
            respondents += 1
    ratio = 0.0
    for c, a in coef.items():
        ws = [
            (r[weight] if weight else 1.0)
            for r in rows
            if r.get(c) is not None and score(instrument, c, r[c]) is not None
        ]
        kish = sum(ws) ** 2 / sum(w * w for w in ws)
        ratio += a * kish / len(ws)
    ratio /= sum(coef.values())
    items = sum(coef.values()) ** 2 / sum(a * a for a in coef.values())
    n_w = respondents * ratio * items / max(1.0, deff or 1.0)
    p = min(1.0, max(0.0, (value - floor) / (ceiling - floor)))
    w_low, w_high = wilson(p * n_w, n_w, z)
    if p == 0.0:
        w_low = 0.0
    if p == 1.0:
        w_high = 1.0
    half = z * math.sqrt(max(variance, 0.0))
    low = min(value - half, floor + (ceiling - floor) * w_low)
    high = max(value + half, floor + (ceiling - floor) * w_high)
    return max(floor, low), min(ceiling, high)
