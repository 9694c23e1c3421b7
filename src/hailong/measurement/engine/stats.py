"""Additive sufficient statistics of answers, per cell (group × cluster).

Everything the index table needs can be summed over disjoint sets of answers, so the stats
of a campaign can be kept and updated as answers arrive (add the new ones, subtract the
replaced ones) instead of rescanning every answer:

- ``counts[c, j, v]``: the number (or weight) of answers at slot v of question j, where slot
  0 is "no valid answer", 1..L the levels, L+1 "missing though the question was shown";
- ``squares``: the same with squared weights (the counts when unweighted);
- ``plain``: the unweighted counts (valid and missing answers are counted, not weighed);
- ``moments[c]``: ``Σ_i w_i² x_i x_iᵀ`` with ``x_i = (m_ij s_ij, m_ij)_j`` — from it the
  linearized variance of any composite is the quadratic form ``uᵀ M u`` with
  ``u = (k_j, −k_j I_j)``, whatever the group's coefficients ``k`` and indices ``I``;
- ``answered[c, k]``: respondents with a valid answer to at least one item of composite k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass
class CellStats:
    keys: list[tuple[tuple[Any, ...], Any]]  # (group key, cluster value or None) per cell
    counts: Array
    squares: Array
    plain: Array
    moments: Array
    answered: Array

    @classmethod
    def empty(cls, questions: int, width: int, composites: int) -> CellStats:
        return cls(
            keys=[],
            counts=np.zeros((0, questions, width)),
            squares=np.zeros((0, questions, width)),
            plain=np.zeros((0, questions, width)),
            moments=np.zeros((0, 2 * questions, 2 * questions)),
            answered=np.zeros((0, composites)),
        )

    def combine(self, other: CellStats, sign: float = 1.0) -> CellStats:
        """``self + sign × other``, cell by cell; cells left with no answer are dropped."""
        position = {key: i for i, key in enumerate(self.keys)}
        keys = list(self.keys) + [k for k in other.keys if k not in position]
        for key in keys[len(self.keys) :]:
            position[key] = len(position)
        C = len(keys)

        def grow(mine: Array, theirs: Array) -> Array:
            out = np.zeros((C, *mine.shape[1:]))
            out[: len(self.keys)] = mine
            index = np.array([position[k] for k in other.keys], dtype=np.intp)
            np.add.at(out, index, sign * theirs)
            return out

        merged = CellStats(
            keys=keys,
            counts=grow(self.counts, other.counts),
            squares=grow(self.squares, other.squares),
            plain=grow(self.plain, other.plain),
            moments=grow(self.moments, other.moments),
            answered=grow(self.answered, other.answered),
        )
        alive = merged.plain.sum(axis=(1, 2)) > 0.5
        if not alive.all():
            merged = merged.select(np.flatnonzero(alive))
        return merged

    def select(self, cells: npt.NDArray[np.intp]) -> CellStats:
        return CellStats(
            keys=[self.keys[i] for i in cells],
            counts=self.counts[cells],
            squares=self.squares[cells],
            plain=self.plain[cells],
            moments=self.moments[cells],
            answered=self.answered[cells],
        )
