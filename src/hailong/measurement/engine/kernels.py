"""Array kernels over the answers, as Arrow arrives from DuckDB.

Every figure needs, per cell and question, the count (or weight) of each answer level; every
composite interval needs, per group, sums of products of per-respondent contributions. Both
are ``np.bincount`` over a combined index ``cell × (levels + 1) + level``, which reads each
answer once and is several times faster here than as SQL aggregates (bench/indices.py).
Level 0 stands for "no valid answer": missing, or a code outside the scale (the engine's
SELECT computes the level index, so DuckDB does that part in parallel as it scans).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Codes = npt.NDArray[np.int64]


def encode(columns: Sequence[pa.ChunkedArray], rows: int) -> tuple[Codes, list[tuple[Any, ...]]]:
    """Dense group codes for the ``rows`` rows (0..G−1) and the key tuple of each group.

    Nulls are a group of their own (e.g. answers with no procedure).
    """
    n = rows
    if not columns:
        return np.zeros(n, dtype=np.int64), [()]
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
    return dense.astype(np.int64), keys


def levels(column: pa.ChunkedArray, values: Sequence[int]) -> npt.NDArray[np.uint8]:
    """Level index 1..L of each answer code (SMALLINT), 0 when missing or outside the scale.

    One lookup in a table over every 16-bit code, so no comparison is needed per answer;
    a missing answer becomes the code −32768, which no scale uses.
    """
    lookup = np.zeros(1 << 16, dtype=np.uint8)
    for i, v in enumerate(values, start=1):
        if -(1 << 15) < v < (1 << 15):
            lookup[int(np.array(v, dtype=np.int16).view(np.uint16))] = i
    codes = pc.fill_null(column.combine_chunks().cast(pa.int16()), -(1 << 15)).to_numpy()
    return lookup[codes.view(np.uint16)]


def base_index(codes: Codes, width: int) -> npt.NDArray[np.int32] | Codes:
    """``codes × width``, as 32-bit integers when they fit (half the memory traffic)."""
    scaled = codes * width
    if scaled.size and int(scaled.max()) + width < (1 << 31):
        return scaled.astype(np.int32)
    return scaled
