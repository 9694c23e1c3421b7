"""The engine: one pass to per-cell statistics, then the index table from them."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..composites import composites, described_questions, index_questions
from ..instruments import Instrument
from ..intervals import critical_value
from . import figures as fig
from . import kernels, sql
from .stats import CellStats


@dataclass(frozen=True)
class Spec:
    """What to compute.

    Parameters
    ----------
    by : tuple of str
        Grouping columns; empty for one row over everything.
    weight : str or None
        Column of weights (None: every answer weighs 1).
    cluster : str or None
        Column naming the cluster (the unit), for the design effect; default ``unit_id``.
    confidence : float
        Two-sided confidence level of the intervals, default 0.95.
    min_n : int
        Below this many valid answers a figure is flagged "not enough answers" and is
        never ranked (default 30).
    """

    by: tuple[str, ...] = ()
    weight: str | None = None
    cluster: str | None = "unit_id"
    confidence: float = 0.95
    min_n: int = 30


@dataclass(frozen=True)
class ItemTables:
    """Per group and question (and level): counts, squared weights, W, index, n, missing, variance, deff."""

    counts: fig.Array
    squares: fig.Array
    W: fig.Array
    index: fig.Array
    n: fig.Array
    missing: fig.Array
    var: fig.Array
    deff: fig.Array


THREADS = min(4, os.cpu_count() or 1)
BATCH_ROWS = 2_000_000  # answers per streamed batch: bounds the engine's memory


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


class Engine:
    """Index tables of one instrument over an answers relation in DuckDB.

    >>> engine = Engine(instrument)
    >>> rows = engine.compute(con, "answers", Spec(by=("unit_id",)))
    """

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.rule = instrument.aggregation.item
        indexed = index_questions(instrument)
        described = [(c, level) for c, level in described_questions(instrument) if c not in indexed]
        self.questions = [instrument.question(c) for c in [*indexed, *(c for c, _ in described)]]
        self.kinds = ["item"] * len(indexed) + [level for _, level in described]
        self.codes = [q.code for q in self.questions]
        self.composites = composites(instrument)
        rules = [self.rule if kind == "item" else "share_satisfied" for kind in self.kinds]
        self.levels = fig.Levels.of(self.questions, rules)
        self._position = {c: j for j, c in enumerate(self.codes)}
        self._composite_items = [
            sorted(self._position[c] for c in comp.item_codes) for comp in self.composites
        ]

    def compute(self, con: Any, relation: str, spec: Spec) -> list[dict[str, Any]]:
        """One dict per group × (item | factor | part | overall) with estimate and interval.

        Keys: the grouping columns, ``level``, ``code``, ``index`` (None: no data), ``low``,
        ``high``, ``se``, ``n``, ``n_missing``, ``n_eff``, ``deff``, ``enough``, and for items
        ``share_satisfied``, ``mean_score``, ``mean_index``, ``distribution``.
        """
        return self.table(self.cell_stats(con, relation, spec), spec)

    # -- one pass over the answers --------------------------------------------------------
    def cell_stats(self, con: Any, relation: str, spec: Spec) -> CellStats:
        """The additive statistics of every cell (group × cluster) of ``relation``.

        DuckDB hands over the selected columns at once (in parallel, which is faster than its
        streaming reader here); they are then processed in slices of ``BATCH_ROWS`` whose
        statistics add up, so the engine's working arrays stay the size of one slice.
        """
        by = tuple(spec.by)
        clustered = spec.cluster is not None and spec.cluster not in by
        Q, L = self.levels.scores.shape
        total = CellStats.empty(Q, L + 2, len(self.composites))
        table = con.sql(self._select(relation, spec, clustered)).to_arrow_table()
        for start in range(0, table.num_rows, BATCH_ROWS):
            part = self._batch_stats(table.slice(start, BATCH_ROWS), spec, clustered)
            total = part if not total.keys else total.combine(part)
        return total

    def _batch_stats(self, table: pa.Table, spec: Spec, clustered: bool) -> CellStats:
        by = tuple(spec.by)
        columns = [table.column(k) for k in by]
        if clustered and spec.cluster:
            columns.append(table.column(spec.cluster))
        cell, keys = kernels.encode(columns, table.num_rows)
        cells = len(keys)
        cell_keys = [(k[: len(by)], k[len(by)] if clustered else None) for k in keys]
        weight = None
        if spec.weight:
            weight = (
                pc.fill_null(table.column(spec.weight), 0.0)
                .to_numpy(zero_copy_only=False)
                .astype(np.float64)
            )
        slots, counts, squares, plain = self._counts(table, cell, cells, weight)
        del table
        answered = self._answered(cell, cells, slots)
        moments = self._moments(cell, cells, slots, weight)
        return CellStats(cell_keys, counts, squares, plain, moments, answered)

    def _select(self, relation: str, spec: Spec, clustered: bool) -> str:
        """What the pass reads: groups, cluster, weight, and per question its answer code
        (``a{j}``) and whether it is missing among those it was shown to (``m{j}``)."""
        columns = [sql.quote(c) for c in spec.by]
        if clustered and spec.cluster:
            columns.append(sql.quote(spec.cluster))
        if spec.weight:
            columns.append(sql.quote(spec.weight))
        for j, q in enumerate(self.questions):
            col = sql.quote(q.code)
            columns.append(f"TRY_CAST({col} AS SMALLINT) AS a{j}")
            shown = ""
            if q.show_if is not None:
                allowed = ", ".join(str(v) for v in sorted(q.show_if.values))
                shown = f" AND coalesce({sql.quote(q.show_if.question)} IN ({allowed}), false)"
            columns.append(f"({col} IS NULL{shown}) AS m{j}")
        return f"SELECT {', '.join(dict.fromkeys(columns))} FROM {relation}"

    def _counts(
        self, table: pa.Table, cell: kernels.Codes, cells: int, weight: fig.Array | None
    ) -> tuple[list[npt.NDArray[np.uint8]], fig.Array, fig.Array, fig.Array]:
        """Per cell and question the count (or weight) of every slot: 0 invalid, 1..L the
        levels, L+1 missing though shown. Questions run on a thread pool: NumPy releases
        the GIL in these loops."""
        Q, L = self.levels.scores.shape
        width = L + 2
        base = kernels.base_index(cell, width)

        def one(j: int) -> tuple[npt.NDArray[np.uint8], fig.Array, fig.Array]:
            slot = kernels.levels(table.column(f"a{j}"), self.levels.values[j])
            slot[table.column(f"m{j}").to_numpy(zero_copy_only=False)] = L + 1
            index = base + slot
            plain = (
                np.bincount(index, minlength=cells * width).astype(np.float64).reshape(cells, width)
            )
            if weight is None:
                return slot, plain, plain
            weighted = np.asarray(
                np.bincount(index, weights=weight, minlength=cells * width), dtype=np.float64
            )
            return slot, plain, weighted.reshape(cells, width)

        counts = np.zeros((cells, Q, width))
        squares = np.zeros((cells, Q, width))
        plain = np.zeros((cells, Q, width))
        slots = []
        with ThreadPoolExecutor(THREADS) as pool:
            for j, (slot, p, c) in enumerate(pool.map(one, range(Q))):
                slots.append(slot)
                plain[:, j, :] = p
                counts[:, j, :] = c
        if weight is None:
            squares[:] = counts
        else:
            for j, slot in enumerate(slots):
                sq = np.bincount(base + slot, weights=weight * weight, minlength=cells * width)
                squares[:, j, :] = np.asarray(sq, dtype=np.float64).reshape(cells, width)
        return slots, counts, squares, plain

    def _answered(
        self, cell: kernels.Codes, cells: int, slots: list[npt.NDArray[np.uint8]]
    ) -> fig.Array:
        """Per cell and composite, respondents with a valid answer to one of its items."""
        L = self.levels.scores.shape[1]
        valid_slot = np.zeros(L + 2, dtype=bool)
        valid_slot[1 : L + 1] = True
        valid = [valid_slot[slot] for slot in slots]
        out = np.zeros((cells, len(self.composites)))
        for k, items in enumerate(self._composite_items):
            mask = np.logical_or.reduce([valid[j] for j in items])
            out[:, k] = np.bincount(cell[mask], minlength=cells)
        return out

    def _moments(
        self,
        cell: kernels.Codes,
        cells: int,
        slots: list[npt.NDArray[np.uint8]],
        weight: fig.Array | None,
    ) -> fig.Array:
        """``Σ_i w_i² x_i x_iᵀ`` per cell, ``x_i = (m_ij s_ij, m_ij)``: rows sorted by cell once,
        then one matrix product per cell and chunk.

        When every score is 0 or one value ``c_j`` (a share satisfied) and answers are not
        weighted, ``x`` is made of 0/1 indicators scaled afterwards: the products are then
        exact in single precision (sums stay below 2²⁴), which halves the work.
        """
        Q, L = self.levels.scores.shape
        scores = self.levels.scores * self.levels.valid
        scale = np.ones(2 * Q)
        binary = weight is None
        for j in range(Q):
            nonzero = {float(v) for v in scores[j][self.levels.valid[j]] if v != 0}
            binary = binary and len(nonzero) <= 1
            scale[j] = nonzero.pop() if len(nonzero) == 1 else 1.0
        dtype = np.float32 if binary else np.float64
        score_of = np.zeros((Q, L + 2), dtype=dtype)
        score_of[:, 1 : L + 1] = (scores / scale[:Q, None]) if binary else scores
        valid_of = np.zeros((Q, L + 2), dtype=dtype)
        valid_of[:, 1 : L + 1] = self.levels.valid
        order = np.argsort(cell.astype(np.uint16) if cells < (1 << 16) else cell, kind="stable")
        for j in range(Q):  # in place, one question at a time: no second copy of every answer
            slots[j] = slots[j][order]
        ordered = slots
        w = weight[order] if weight is not None else None
        bounds = np.searchsorted(cell[order], np.arange(cells + 1))
        out = np.zeros((cells, 2 * Q, 2 * Q))
        chunk = 1 << 20  # below 2²⁴ rows, so 0/1 products sum exactly in float32

        def one(c: int) -> None:
            for start in range(int(bounds[c]), int(bounds[c + 1]), chunk):
                stop = min(start + chunk, int(bounds[c + 1]))
                X = np.empty((stop - start, 2 * Q), dtype=dtype)
                for j in range(Q):
                    part = ordered[j][start:stop]
                    X[:, j] = score_of[j][part]
                    X[:, Q + j] = valid_of[j][part]
                if w is not None:
                    X *= w[start:stop, None]
                out[c] += X.T @ X

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(one, range(cells)))
        if binary:
            out *= np.outer(scale, scale)[None, :, :]
        return out

    # -- the table from the statistics ----------------------------------------------------
    def table(self, stats: CellStats, spec: Spec) -> list[dict[str, Any]]:
        """The index table of ``spec``'s groups from cell statistics (see :meth:`cell_stats`)."""
        by = tuple(spec.by)
        if not stats.keys:
            return []
        groups: dict[tuple[Any, ...], int] = {}
        group_of = np.array(
            [groups.setdefault(g, len(groups)) for g, _ in stats.keys], dtype=np.intp
        )
        keys = list(groups)
        G = len(keys)
        clustered = stats.keys[0][1] is not None or (
            spec.cluster is not None and spec.cluster not in by
        )
        L = self.levels.scores.shape[1]
        Cg = fig.group_sum(stats.counts[:, :, 1 : L + 1], group_of, G)
        Dg = fig.group_sum(stats.squares[:, :, 1 : L + 1], group_of, G)
        plain = fig.group_sum(stats.plain, group_of, G)
        n = plain[:, :, 1 : L + 1].sum(axis=2)
        m = plain[:, :, L + 1]
        S = self.levels.scores
        W, index = fig.item_index(Cg, S)
        var_item = fig.item_var_srs(Dg, S, W, index, n)
        A = fig.coefficients(self.composites, self.codes, W > 0)
        valid: npt.NDArray[np.bool_] = np.asarray(~np.isnan(A).any(axis=2))
        A = np.nan_to_num(A)
        estimate = np.einsum("gkq,gq->gk", A, np.nan_to_num(index))
        with np.errstate(invalid="ignore", divide="ignore"):
            k_coef = np.where(W[:, None, :] > 0, A / W[:, None, :], 0.0)
        # z_i = Σ_j k_j w_i m_ij (s_ij − I_j) = ⟨u, x_i⟩ with u = (k, −k·I): Σ_i z_i² = uᵀ M u
        u = np.concatenate([k_coef, -k_coef * np.nan_to_num(index)[:, None, :]], axis=2)
        M = fig.group_sum(stats.moments, group_of, G)
        z2 = np.einsum("gka,gab,gkb->gk", u, M, u)
        answered = fig.group_sum(stats.answered, group_of, G)
        var_comp = np.where(answered > 1, z2 * answered / np.maximum(answered - 1, 1), np.nan)
        deff_item = np.full(W.shape, np.nan)
        deff_comp = np.full(estimate.shape, np.nan)
        if clustered:
            counts = stats.counts[:, :, 1 : L + 1]
            R = fig.residuals(counts, S, index, group_of)
            with np.errstate(invalid="ignore", divide="ignore"):
                cl_item, n_clusters = fig.cluster_var(
                    np.where(W[group_of] > 0, R / W[group_of], 0.0), group_of, G
                )
                cl_comp, _ = fig.cluster_var(
                    np.einsum("cq,ckq->ck", R, k_coef[group_of]), group_of, G
                )
                many = (n_clusters >= 2)[:, None]
                deff_item = np.where(many & (var_item > 0), cl_item / var_item, np.nan)
                deff_comp = np.where(many & (var_comp > 0), cl_comp / var_comp, np.nan)
                var_comp = np.where(many & ~np.isnan(cl_comp), cl_comp, var_comp)
        z = critical_value(spec.confidence)
        out: list[dict[str, Any]] = []
        heads = [dict(zip(by, key, strict=True)) for key in keys]
        item_rows = self._item_rows(
            heads, ItemTables(Cg, Dg, W, index, n, m, var_item, deff_item), spec
        )
        for g, head in enumerate(heads):
            out.extend(item_rows[g])
            for k, comp in enumerate(self.composites):
                row: dict[str, Any] = {**head, "level": comp.level, "code": comp.code, "n": int(answered[g, k]),
                                       "n_missing": None, "share_satisfied": None, "mean_score": None,
                                       "mean_index": None, "distribution": None, "n_eff": None}  # fmt: skip
                if not valid[g, k]:
                    row.update(index=None, low=None, high=None, se=None, deff=None, enough=False)
                else:
                    value, var = float(estimate[g, k]), _number(var_comp[g, k])
                    floor, ceiling = self._bounds(comp.multiplier)
                    se = math.sqrt(max(var, 0.0)) if var is not None else None
                    row.update(
                        index=value,
                        se=se,
                        low=max(floor, value - z * se) if se is not None else None,
                        high=min(ceiling, value + z * se) if se is not None else None,
                        deff=_number(deff_comp[g, k]),
                        enough=int(answered[g, k]) >= spec.min_n,
                    )
                out.append(row)
        return out

    def _item_rows(
        self, heads: list[dict[str, Any]], t: ItemTables, spec: Spec
    ) -> list[list[dict[str, Any]]]:
        """The item rows of every group, computed as arrays (``figures.item_table``)."""
        f = fig.item_table(self.questions, self.levels, self.kinds, self.rule, t, spec.confidence)
        names = (
            "index",
            "low",
            "high",
            "se",
            "n_eff",
            "share_satisfied",
            "mean_score",
            "mean_index",
            "deff",
        )
        columns = {k: f[k].tolist() for k in names}
        present = (t.W > 0).tolist()
        n, missing = t.n.astype(np.int64).tolist(), t.missing.astype(np.int64).tolist()
        widths = [len(v) for v in self.levels.values]
        dist = t.counts.tolist()
        out = []
        for g, head in enumerate(heads):
            rows = []
            for j, q in enumerate(self.questions):
                row = {**head, "level": self.kinds[j], "code": q.code, "n": n[g][j], "n_missing": missing[g][j],
                       "distribution": dist[g][j][: widths[j]], "enough": n[g][j] >= spec.min_n}  # fmt: skip
                for k in names:
                    value = columns[k][g][j]
                    row[k] = None if value != value else value  # NaN → None
                if not present[g][j]:
                    row.update(index=None, low=None, high=None, se=None, n_eff=None)
                rows.append(row)
            out.append(rows)
        return out

    def _bounds(self, multiplier: Any) -> tuple[float, float]:
        """The range a composite can take: 0–100, or the scale's range × multiplier (IKM 25–100)."""
        if self.rule != "mean_score":
            return 0.0, float(100 * multiplier)
        low = min(min(q.scale.values) for q in self.questions)
        high = max(max(q.scale.values) for q in self.questions)
        return float(low * multiplier), float(high * multiplier)
