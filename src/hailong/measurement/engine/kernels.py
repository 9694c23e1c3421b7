"""Array kernels over the answers, as Arrow arrives from DuckDB.

Every figure needs, per cell and question, the count (or weight) of each answer *slot* (0
no valid answer, 1..L the levels, L+1 missing though shown); every composite interval needs,
per cell, the second moments of per-respondent contributions. A slice of answers is sorted
by cell once (a radix sort of 16-bit codes), so that each cell's rows are contiguous: the
counts are one ``np.bincount`` per question over ``cell × slots + slot``, the moments one
matrix product per cell over a block of rows that fits in cache (``Moments``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Codes = npt.NDArray[np.int32] | npt.NDArray[np.int64]  # int32 below 2³¹ cells
Slots = npt.NDArray[np.uint8]
MISSING_CODE = -(1 << 15)  # a missing answer becomes this code, which no scale uses
BLOCK_ROWS = 1 << 15  # rows of one moment block: 2Q columns of it stay in cache


def encode(columns: Sequence[pa.ChunkedArray], rows: int) -> tuple[Codes, list[tuple[Any, ...]]]:
    """Dense group codes for the ``rows`` rows (0..G−1) and the key tuple of each group.

    Nulls are a group of their own (e.g. answers with no procedure).
    """
    n = rows
    if not columns:
        return np.zeros(n, dtype=np.int32), [()]
    if len(columns) == 1:  # the dictionary's indices are already dense, in order of appearance
        encoded = pc.dictionary_encode(columns[0].combine_chunks(), null_encoding="encode")
        indices = encoded.indices.to_numpy(zero_copy_only=False)  # int32: half the memory
        return indices, [(value,) for value in encoded.dictionary.to_pylist()]
    code = np.zeros(n, dtype=np.int64)
    dictionaries = []
    radix = 1
    for column in columns:
        encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        dictionaries.append(encoded.dictionary.to_pylist())
        code = code * len(dictionaries[-1]) + indices if radix > 1 else indices
        radix *= max(1, len(dictionaries[-1]))
    if radix <= 50_000_000:  # a presence table is linear; np.unique would sort every row
        present = np.zeros(radix, dtype=bool)
        present[code] = True
        used = np.flatnonzero(present)
        remap = np.cumsum(present) - 1
        dense = remap[code]
    else:
        used, dense = np.unique(code, return_inverse=True)
    keys = []
    for value in used:
        parts = []
        for dictionary in reversed(dictionaries):
            size = max(1, len(dictionary))
            parts.append(dictionary[int(value % size)])
            value //= size
        keys.append(tuple(reversed(parts)))
    if len(used) < (1 << 31):
        return dense.astype(np.int32), keys
    return dense.astype(np.int64), keys


def slot_table(values: Sequence[int], missing: int) -> Slots:
    """The slot of every 16-bit answer code: 1..L for the scale's values, ``missing`` for
    the missing code, 0 for anything else — one lookup per answer, no comparison."""
    lookup = np.zeros(1 << 16, dtype=np.uint8)
    for i, v in enumerate(values, start=1):
        if -(1 << 15) < v < (1 << 15):
            lookup[int(np.array(v, dtype=np.int16).view(np.uint16))] = i
    lookup[int(np.array(MISSING_CODE, dtype=np.int16).view(np.uint16))] = missing
    return lookup


def slots(column: pa.ChunkedArray, lookup: Slots, out: Slots) -> Slots:
    """Slot of each answer code (SMALLINT, NULL when missing) through ``slot_table``,
    chunk by chunk into ``out``."""
    position = 0
    for chunk in column.chunks:
        codes = pc.fill_null(chunk.cast(pa.int16()), MISSING_CODE).to_numpy()
        part = out[position : position + len(codes)]
        np.take(lookup, codes.view(np.uint16), out=part, mode="clip")  # clip: never buffered
        position += len(codes)
    return out


def sort_by_cell(cell: Codes, cells: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The order that makes each cell's rows contiguous (stable, so each cell keeps its
    rows' order), and the bounds of cell c's rows: ``bounds[c]:bounds[c + 1]``."""
    keys = cell.astype(np.uint16) if cells <= (1 << 16) else cell
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(cell[order], np.arange(cells + 1))
    return order, bounds


def base_index(codes: Codes, width: int) -> npt.NDArray[np.int32] | Codes:
    """``codes × width``, as 32-bit integers when they fit (half the memory traffic)."""
    scaled = codes.astype(np.int64) * width
    if scaled.size and int(scaled.max()) + width < (1 << 31):
        return scaled.astype(np.int32)
    return scaled


def level_counts(
    S: Slots, cell: Codes, cells: int, width: int, out: npt.NDArray[np.float64]
) -> None:
    """Add the count of every slot per cell and question of the slots ``S`` (Q, rows) to
    ``out`` (cells, Q, width); ``cell`` is each row's cell.

    Two questions share one ``np.bincount`` over their joint slot (one byte; bins of one
    cell stay together because rows are sorted by cell), and their own counts are its
    margins: half the passes of one count per question.
    """
    Q, rows = S.shape
    pair = width * width <= 256 and cells * width * width <= max(rows, 1 << 16)
    step = 2 if pair else 1
    span = width**step
    base = np.multiply(cell, span, dtype=np.int64)
    index = np.empty(rows, dtype=np.int64)
    joint = np.empty(rows, dtype=np.uint8)
    for j in range(0, Q, step):
        if pair:
            np.multiply(S[j], np.uint8(width), out=joint)
            if j + 1 < Q:
                joint += S[j + 1]
            np.add(base, joint, out=index)
            counts = np.bincount(index, minlength=cells * span).reshape(cells, width, width)
            out[:, j, :] += counts.sum(axis=2)
            if j + 1 < Q:
                out[:, j + 1, :] += counts.sum(axis=1)
        else:
            np.add(base, S[j], out=index)
            out[:, j, :] += np.bincount(index, minlength=cells * span).reshape(cells, width)


class Moments:
    """The second moments of ``x_i = (m_ij s_ij, m_ij)`` per cell, and the respondents
    answering each composite, from cell-sorted slots.

    ``score_of`` and ``valid_of`` (Q, slots) give each slot's entries of ``x``; with 0/1
    entries (a share satisfied, unweighted) they are made in single precision by bit
    tests, all questions at once, and the sums of a block stay exact (below 2²⁴).
    """

    def __init__(
        self,
        score_of: npt.NDArray[Any],
        valid_of: npt.NDArray[Any],
        composites: Sequence[Sequence[int]],
    ) -> None:
        self.score_of, self.valid_of = score_of, valid_of
        self.Q, width = score_of.shape
        self.bits = np.uint8 if width <= 8 else np.uint16 if width <= 16 else None
        self.score_bits = self._bits(score_of)
        self.valid_bits = self._bits(valid_of)
        self.plan = _union_plan([sorted(items) for items in composites])

    def _bits(self, table: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """Per question, the bit mask of the slots whose entry is 1 (None: not all 0/1)."""
        if self.bits is None or not np.isin(table, (0, 1)).all():
            return None
        weights = 1 << np.arange(table.shape[1])
        return (table.astype(np.int64) @ weights).astype(self.bits)[:, None]

    def _fill(
        self,
        X: npt.NDArray[Any],
        S: Slots,
        table: npt.NDArray[Any],
        bits: npt.NDArray[Any] | None,
        scratch: npt.NDArray[Any] | None,
    ) -> None:
        if bits is not None and scratch is not None:
            np.right_shift(bits, S, out=scratch)
            scratch &= 1
            np.copyto(X, scratch, casting="unsafe")
            return
        for j in range(S.shape[0]):
            np.take(table[j], S[j], out=X[j], mode="clip")

    def add(
        self,
        S: Slots,
        bounds: npt.NDArray[np.intp],
        weight: npt.NDArray[np.float64] | None,
        moments: npt.NDArray[np.float64],
        answered: npt.NDArray[np.float64],
    ) -> None:
        """Add ``Σ_i w_i² x_i x_iᵀ`` and the respondents answering each composite, per cell,
        of the cell-sorted slots ``S`` (Q, rows) to ``moments`` and ``answered``.

        Rows go in blocks of ``BLOCK_ROWS``: ``x`` of a block is made, then each cell's part
        of it is one symmetric matrix product.
        """
        Q, rows = S.shape
        present = np.flatnonzero(bounds[1:] > bounds[:-1])
        starts, stops = bounds[present], bounds[present + 1]
        first = 0  # first present cell overlapping the block
        size = min(rows, BLOCK_ROWS)
        buffer = np.empty((2 * Q, size), dtype=self.score_of.dtype)
        scratch = np.empty((Q, size), dtype=self.bits) if self.bits is not None else None
        held = np.empty((len(self.plan), size), dtype=self.score_of.dtype)
        for start in range(0, rows, BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, rows)
            n = stop - start
            X, block = buffer[:, :n], S[:, start:stop]
            bit = scratch[:, :n] if scratch is not None else None
            self._fill(X[:Q], block, self.score_of, self.score_bits, bit)
            self._fill(X[Q:], block, self.valid_of, self.valid_bits, bit)
            while stops[first] <= start:
                first += 1
            last = int(np.searchsorted(starts, stop, side="left"))
            cells = present[first:last]
            lo = np.maximum(starts[first:last], start) - start
            hi = np.minimum(stops[first:last], stop) - start
            if self.plan:
                A = held[:, :n]
                for k, (parts, runs) in enumerate(self.plan):
                    pieces = [A[p] for p in parts] + [X[Q + a : Q + b] for a, b in runs]
                    _any(pieces, out=A[k])
                answered[cells] += np.add.reduceat(A, lo, axis=1).T
            if weight is not None:
                X *= weight[start:stop]
            for c, a, b in zip(cells.tolist(), lo.tolist(), hi.tolist(), strict=True):
                part = X[:, a:b]
                moments[c] += part @ part.T


def _any(pieces: Sequence[npt.NDArray[Any]], out: npt.NDArray[Any]) -> None:
    """Elementwise maximum of rows (1-D) and stacks of rows (2-D) into ``out``."""
    if not pieces:
        out[:] = 0
        return
    for i, piece in enumerate(pieces):
        target = out if i == 0 else np.empty_like(out)
        if piece.ndim == 2 and len(piece) > 1:
            np.max(piece, axis=0, out=target)
        else:
            target[:] = piece.reshape(-1)
        if i:
            np.maximum(out, target, out=out)


def _union_plan(
    composites: Sequence[Sequence[int]],
) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """For each composite, earlier composites (of fewer items) whose items it contains, and
    runs of its remaining items: the overall index reuses its factors' "answered" rows."""
    plan: list[tuple[list[int], list[tuple[int, int]]]] = []
    sets = [set(items) for items in composites]
    for k, items in enumerate(sets):
        covered: set[int] = set()
        parts = []
        for p in sorted(range(k), key=lambda i: -len(sets[i])):
            if sets[p] < items and not sets[p] & covered:
                parts.append(p)
                covered |= sets[p]
        rest = sorted(items - covered)
        runs: list[tuple[int, int]] = []
        for j in rest:
            if runs and runs[-1][1] == j:
                runs[-1] = (runs[-1][0], j + 1)
            else:
                runs.append((j, j + 1))
        plan.append((parts, runs))
    return plan
