"""Item and composite figures from the per-cell level counts, as array arithmetic.

Shapes: ``C`` cells, ``G`` groups, ``Q`` index questions, ``L`` answer levels (padded),
``K`` composites. For question j in group g, with ``W_v`` the count (or weight) and ``D_v``
the sum of squared weights of answers at level v, and ``s_v`` the score of level v::

    W = Σ_v W_v          I = Σ_v s_v W_v / W                     (the item index)
    var_srs = Σ_v D_v (s_v − I)² / W² · n/(n − 1)                (linearization)

Unweighted ``D_v = W_v``, and for a share ``var = p(1 − p)/(n − 1)``. Clustered, per cell
(cluster) c in group g: ``Z_c = Σ_j k_j Σ_v W_cjv (s_jv − I_gj)`` with ``k_j = a_j / W_gj``,
and ``var_cl = C_g/(C_g − 1) Σ_c Z_c²``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..composites import Block, Composite
from ..instruments import Question
from .sql import item_score

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Levels:
    """Scores ``s`` (Q, L) and the valid-level mask of every index question."""

    values: list[list[int]]
    scores: Array
    valid: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, questions: Sequence[Question], rules: Sequence[str]) -> Levels:
        values = [sorted(q.scale.values) for q in questions]
        width = max(len(v) for v in values)
        scores = np.zeros((len(questions), width))
        valid = np.zeros((len(questions), width), dtype=bool)
        for j, (q, vs, rule) in enumerate(zip(questions, values, rules, strict=True)):
            for i, v in enumerate(vs):
                scores[j, i] = item_score(q, rule, v)
                valid[j, i] = True
        return cls(values=values, scores=scores, valid=valid)


def group_sum(per_cell: Array, group_of: npt.NDArray[np.intp], groups: int) -> Array:
    """Sum cell rows into their groups (a copy when every cell is its own group)."""
    if groups == len(group_of) and np.array_equal(group_of, np.arange(groups)):
        return np.array(per_cell, dtype=np.float64)
    out = np.zeros((groups, *per_cell.shape[1:]))
    np.add.at(out, group_of, per_cell)
    return out


def item_index(counts: Array, scores: Array) -> tuple[Array, Array]:
    """``W`` (G, Q) and ``I`` (G, Q), NaN where a question has no valid answer."""
    W = counts.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = (counts * scores).sum(axis=-1) / W
    return W, np.where(W > 0, index, np.nan)


def item_var_srs(squares: Array, scores: Array, W: Array, index: Array, n: Array) -> Array:
    """Linearized variance of every item index, NaN where ``n < 2``."""
    centred = scores[None, :, :] - np.nan_to_num(index)[:, :, None]
    ss = (squares * centred**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ss / (W * W) * n / (n - 1)
    return np.where(n >= 2, var, np.nan)


def residuals(cells: Array, scores: Array, index: Array, group_of: npt.NDArray[np.intp]) -> Array:
    """``R_cj = Σ_v W_cjv (s_jv − I_gj)`` for every cell (C, Q)."""
    centred = scores[None, :, :] - np.nan_to_num(index)[group_of][:, :, None]
    return (cells * centred).sum(axis=-1)


def cluster_var(Z: Array, group_of: npt.NDArray[np.intp], groups: int) -> tuple[Array, Array]:
    """``C_g/(C_g − 1) Σ_c Z_c²`` per group, and ``C_g``; NaN below two clusters."""
    n_clusters = np.bincount(group_of, minlength=groups).astype(float)
    total = group_sum(Z * Z, group_of, groups)
    factor = np.where(n_clusters >= 2, n_clusters / np.maximum(n_clusters - 1, 1), np.nan)
    shape = (groups,) + (1,) * (Z.ndim - 1)
    return total * factor.reshape(shape), n_clusters


def block_shares(block: Block, position: dict[str, int], has_data: npt.NDArray[np.bool_]) -> Array:
    """``v_j / Σ v`` over the block's items with data, per group (G, Q); NaN rows when the
    block has no item with data."""
    v = np.zeros(has_data.shape[1])
    for code, weight in block.items:
        v[position[code]] += float(weight)
    present = has_data * v[None, :]
    total = present.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, present / total, np.nan)


def coefficients(
    composites: Sequence[Composite], codes: Sequence[str], has_data: npt.NDArray[np.bool_]
) -> Array:
    """``a`` (G, K, Q): each composite's item coefficients per group, renormalized within
    each block over the items with data; a composite with an empty block is NaN."""
    position = {c: j for j, c in enumerate(codes)}
    G, Q = has_data.shape
    out = np.zeros((G, len(composites), Q))
    for k, comp in enumerate(composites):
        for block in comp.blocks:
            out[:, k, :] += float(comp.multiplier * block.weight) * block_shares(
                block, position, has_data
            )
    return out


def wilson_bounds(successes: Array, nobs: Array, z: float) -> tuple[Array, Array]:
    """The Wilson interval (``intervals.wilson``) for arrays; NaN where ``nobs`` is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        q = successes / nobs
        denom = 1 + z * z / nobs
        center = (q + z * z / (2 * nobs)) / denom
        dist = z * np.sqrt(np.maximum(q * (1 - q), 0.0) / nobs + z * z / (4 * nobs**2)) / denom
        low = np.where(successes <= 0, 0.0, np.maximum(0.0, center - dist))
        high = np.where(successes >= nobs, 1.0, np.minimum(1.0, center + dist))
    return low, high


def composite_interval(
    estimate: Array,
    se: Array,
    n_floor: Array,
    floor: Array,
    ceiling: Array,
    z: float,
) -> tuple[Array, Array]:
    """The interval of a composite index: the linearized interval, widened to a Wilson floor.

    The delta-method interval ``I ± z·se`` collapses to a point when every answer sits at
    the same score (all satisfied: 100,00–100,00), and is too narrow near the bounds for
    small samples, because the observed variance then says nothing. So the interval is the
    hull of the linearized interval and a Wilson interval on the composite's range
    ``[f, c]``::

        p     = (I − f) / (c − f)
        n_W   = n_eff · J_eff,        J_eff = (Σ_j a_j)² / Σ_j a_j²
        [L, H] = [min(I − z·se, f + (c − f)·wL), max(I + z·se, f + (c − f)·wH)] ∩ [f, c]

    with ``(wL, wH) = wilson(p · n_W, n_W)``, ``n_eff`` the composite's effective number of
    respondents (Kish, divided by a design effect above 1) and ``a_j`` its item
    coefficients. ``n_W`` is the number of answers the composite averages, counted as if
    its items were independent shares: the least variance the data could have at ``p``.
    Where the sample varies (the typical case) the linearized interval is the wider and is
    kept unchanged; at or near a bound the Wilson interval takes over, as it does for items,
    and it never has zero width for a finite sample. NaN where ``se`` is NaN (n < 2).
    """
    width = ceiling - floor
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.clip((estimate - floor) / width, 0.0, 1.0)
        w_low, w_high = wilson_bounds(p * n_floor, n_floor, z)
        low = np.minimum(estimate - z * se, floor + width * w_low)
        high = np.maximum(estimate + z * se, floor + width * w_high)
    low = np.where(np.isnan(se), np.nan, np.maximum(floor, low))
    high = np.where(np.isnan(se), np.nan, np.minimum(ceiling, high))
    return low, high


def composite_floor_n(A: Array, answered: Array, kish_ratio: Array, deff: Array) -> Array:
    """``n_W = n_eff · J_eff`` (G, K) of ``composite_interval``.

    ``n_eff`` is the respondents who answered the composite, times the coefficient-weighted
    mean Kish ratio ``n_eff / n`` of its items (1 unweighted), divided by the design effect
    where it is above 1; ``J_eff = (Σ a)² / Σ a²`` is the effective number of items.
    """
    total = A.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (A * kish_ratio[:, None, :]).sum(axis=2) / total
        j_eff = total * total / (A * A).sum(axis=2)
        inflate = np.maximum(1.0, np.nan_to_num(deff, nan=1.0))
        return answered * ratio * j_eff / inflate


def item_table(
    questions: Sequence[Question],
    levels: Levels,
    kinds: Sequence[str],
    rule: str,
    t: Any,
    confidence: float,
) -> dict[str, Array]:
    """Every item figure of every group as (G, Q) arrays; NaN where a figure does not exist.

    Shares get the Wilson interval on the effective sample size (Kish, divided by a design
    effect above 1; one below 1 never narrows an interval), means a normal interval clipped
    to the score range.
    """
    from ..intervals import critical_value

    z = critical_value(confidence)
    Q, L = levels.scores.shape
    values = np.zeros((Q, L))
    top = np.zeros((Q, L), dtype=bool)
    low_score, high_score = np.zeros(Q), np.zeros(Q)
    for j, (q, vs) in enumerate(zip(questions, levels.values, strict=True)):
        values[j, : len(vs)] = vs
        top[j, : len(vs)] = [v in q.scale.top for v in vs]
        low_score[j], high_score[j] = (
            levels.scores[j, : len(vs)].min(),
            levels.scores[j, : len(vs)].max(),
        )
    has_top: npt.NDArray[np.bool_] = np.asarray(top.any(axis=1))
    share_rule = np.array(
        [(rule if k == "item" else "share_satisfied") == "share_satisfied" for k in kinds]
    )
    W, C = t.W, t.counts
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (C * values[None]).sum(axis=2) / W
        first = values[:, 0][None, :]
        last = np.array([vs[-1] for vs in levels.values], dtype=float)[None, :]
        mean_index = 100.0 * (mean - first) / (last - first)
        share = np.where(has_top[None, :], 100.0 * (C * top[None]).sum(axis=2) / W, np.nan)
        inflate = np.maximum(1.0, np.nan_to_num(t.deff, nan=1.0))
        n_eff = W * W / t.squares.sum(axis=2) / inflate
        se = np.sqrt(t.var * inflate)
        w_low, w_high = wilson_bounds(t.index / 100.0 * n_eff, n_eff, z)
        n_low = np.maximum(low_score[None, :], t.index - z * se)
        n_high = np.minimum(high_score[None, :], t.index + z * se)
    distribution_only = (share_rule & ~has_top)[None, :]
    index = np.where(distribution_only, np.nan, t.index)
    low = np.where(share_rule[None, :], 100.0 * w_low, n_low)
    high = np.where(share_rule[None, :], 100.0 * w_high, n_high)
    low = np.where(distribution_only, np.nan, low)
    high = np.where(distribution_only, np.nan, high)
    se = np.where(distribution_only, np.nan, se)
    absent = W <= 0
    return {
        "index": index,
        "low": low,
        "high": high,
        "se": se,
        "n_eff": np.where(absent, np.nan, n_eff),
        "share_satisfied": np.where(absent, np.nan, share),
        "mean_score": np.where(absent, np.nan, mean),
        "mean_index": np.where(absent, np.nan, mean_index),
        "deff": t.deff,
    }
