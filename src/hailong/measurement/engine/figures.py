"""Item figures and variances from the level counts of scan 1.

For question j in a group, with ``W_v`` the count (or weight) and ``D_v`` the sum of squared
weights of answers at level v, and ``s_v`` the score of level v::

    W   = Σ_v W_v                       I = Σ_v s_v W_v / W        (the item index)
    var = Σ_v D_v (s_v − I)² / W² · n/(n − 1)                     (linearization, SRS)

Unweighted, ``D_v = W_v`` and for a share ``var = p(1 − p)/(n − 1)``. Clustered, per
cell (cluster) c: ``Z_c = Σ_j k_j (S_cj − I_j W_cj)`` with ``S_cj = Σ_v s_v W_cvj`` and
``var = C/(C − 1) Σ_c Z_c²``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..instruments import Question
from .sql import item_score


@dataclass
class ItemStats:
    """Sufficient statistics of one question in one group (summed over its cells)."""

    scores: dict[int, float]
    counts: dict[int, float] = field(default_factory=dict)
    squares: dict[int, float] = field(default_factory=dict)
    n: int = 0
    missing: int = 0

    @property
    def W(self) -> float:
        return sum(self.counts.values())

    @property
    def index(self) -> float | None:
        W = self.W
        return sum(self.scores[v] * k for v, k in self.counts.items()) / W if W > 0 else None

    @property
    def sum_w2(self) -> float:
        return sum(self.squares.values())

    def var_srs(self) -> float | None:
        W, index = self.W, self.index
        if index is None or self.n < 2:
            return None
        ss = sum(d * (self.scores[v] - index) ** 2 for v, d in self.squares.items())
        return ss / (W * W) * self.n / (self.n - 1)


def cell_counts(
    cell: Mapping[str, Any], qi: int, q: Question, weighted: bool
) -> tuple[dict[int, float], dict[int, float], int]:
    counts = {v: float(cell[f"c{qi}_{v}"] or 0) for v in sorted(q.scale.values)}
    squares = {v: float(cell[f"d{qi}_{v}"] or 0) for v in counts} if weighted else dict(counts)
    n = int(cell[f"n{qi}"] or 0) if weighted else int(sum(counts.values()))
    return counts, squares, n


def item_stats(
    cells: Sequence[Mapping[str, Any]], questions: Sequence[Question], rule: str, weighted: bool
) -> list[ItemStats]:
    out = []
    for qi, q in enumerate(questions):
        stats = ItemStats(scores={v: item_score(q, rule, v) for v in sorted(q.scale.values)})
        stats.counts = dict.fromkeys(stats.scores, 0.0)
        stats.squares = dict.fromkeys(stats.scores, 0.0)
        for cell in cells:
            counts, squares, n = cell_counts(cell, qi, q, weighted)
            for v in stats.scores:
                stats.counts[v] += counts[v]
                stats.squares[v] += squares[v]
            stats.n += n
            stats.missing += int(cell[f"m{qi}"] or 0)
        out.append(stats)
    return out


def item_figures(q: Question, stats: ItemStats) -> dict[str, Any]:
    """Share satisfied, mean score, 0–100 mean-score index and distribution of one item."""
    values = sorted(stats.counts)
    W = stats.W
    if W <= 0:
        return {
            "share_satisfied": None,
            "mean_score": None,
            "mean_index": None,
            "distribution": [0.0] * len(values),
        }
    mean = sum(v * stats.counts[v] for v in values) / W
    top = sum(stats.counts[v] for v in values if v in q.scale.top)
    return {
        "share_satisfied": 100.0 * top / W if q.scale.top else None,
        "mean_score": mean,
        "mean_index": 100.0 * (mean - values[0]) / (values[-1] - values[0]),
        "distribution": [stats.counts[v] for v in values],
    }


def cluster_var(
    cells: Sequence[Mapping[str, Any]], k: Mapping[int, float], stats: Sequence[ItemStats]
) -> float:
    """Between-cluster variance of ``Σ_j k_j Σ_i w_i m_ij (s_ij − I_j)``; ``C/(C−1) Σ_c Z_c²``."""
    C = len(cells)
    total = 0.0
    for cell in cells:
        Zc = 0.0
        for qi, kj in k.items():
            st = stats[qi]
            index = st.index or 0.0
            for v, s in st.scores.items():
                Zc += kj * (s - index) * float(cell[f"c{qi}_{v}"] or 0)
        total += Zc * Zc
    return total * C / (C - 1)
