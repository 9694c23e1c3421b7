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

# Every level a row can have: questions (item, perception, expectation) and composites.
LEVELS = frozenset({"item", "perception", "expectation", "factor", "part", "overall"})


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
    levels : tuple of str or None
        The levels to return ("item", "perception", "expectation", "factor", "part",
        "overall"); None for all. Leaving out the question levels saves building a row per
        group and question (their statistics are still computed: composites are made of them).
    """

    by: tuple[str, ...] = ()
    weight: str | None = None
    cluster: str | None = "unit_id"
    confidence: float = 0.95
    min_n: int = 30
    levels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.levels or ()) - LEVELS
        if unknown:
            raise ValueError(f"unknown levels {sorted(unknown)}; choose from {sorted(LEVELS)}")


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
BATCH_ROWS = 500_000  # rows per slice: bounds the engine's memory (one slice per worker)
PARALLEL_ROWS = 50_000  # below this many rows one worker does it all


def _nones(values: fig.Array) -> list[Any]:
    """``values.tolist()`` with None for NaN (no figure)."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return list(out.tolist())


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
        streaming reader here). The rows are then cut into slices of at most ``BATCH_ROWS``
        whose statistics add up; ``THREADS`` workers take the slices (NumPy and BLAS release
        the GIL), so the working arrays stay the size of a slice per worker.
        """
        by = tuple(spec.by)
        clustered = spec.cluster is not None and spec.cluster not in by
        Q, L = self.levels.scores.shape
        marked = self._marked(con, relation)
        table = con.sql(self._select(relation, spec, clustered, marked)).to_arrow_table()
        rows = table.num_rows
        if not rows:
            return CellStats.empty(Q, L + 2, len(self.composites))
        columns = [table.column(k) for k in by]
        if clustered and spec.cluster:
            columns.append(table.column(spec.cluster))
        cell, keys = kernels.encode(columns, rows)
        cell_keys = [(k[: len(by)], k[len(by)] if clustered else None) for k in keys]
        weight = None
        if spec.weight:
            weight = (
                pc.fill_null(table.column(spec.weight), 0.0)
                .to_numpy(zero_copy_only=False)
                .astype(np.float64)
            )
        pass_ = _Pass(self, table, cell, len(keys), weight, marked)
        workers = _slices(rows, THREADS, BATCH_ROWS)
        if len(workers) == 1:
            totals = [pass_.run(workers[0])]
        else:
            with ThreadPoolExecutor(len(workers)) as pool:
                totals = list(pool.map(pass_.run, workers))
        total = totals[0]
        for other in totals[1:]:
            for mine, theirs in zip(total, other, strict=True):
                mine += theirs
        counts, squares, plain, moments, answered = total
        if weight is None:
            counts, squares = plain.copy(), plain.copy()
        scale = self._moment_design(weight is not None)[2]
        if scale is not None:
            moments *= np.outer(scale, scale)[None, :, :]
        return CellStats(cell_keys, counts, squares, plain, moments, answered)

    def _marked(self, con: Any, relation: str) -> set[int]:
        """Questions whose missing answers need a column of their own (``m{j}``): those
        shown only to some, and those not stored as small integers, whose codes can fail
        the cast to SMALLINT (a failed cast is an invalid answer, not a missing one)."""
        codes = list(dict.fromkeys(self.codes))
        names = ", ".join(sql.quote(c) for c in codes)
        types = dict(zip(codes, con.sql(f"SELECT {names} FROM {relation}").types, strict=True))
        small = {"TINYINT", "SMALLINT", "UTINYINT"}
        return {
            j
            for j, q in enumerate(self.questions)
            if q.show_if is not None or str(types[q.code]) not in small
        }

    def _select(self, relation: str, spec: Spec, clustered: bool, marked: set[int]) -> str:
        """What the pass reads: groups, cluster, weight, and per question its answer code
        (``a{j}``) and, for the ``marked`` ones, whether it is missing among those it was
        shown to (``m{j}``); for the others a NULL code is that."""
        columns = [sql.quote(c) for c in spec.by]
        if clustered and spec.cluster:
            columns.append(sql.quote(spec.cluster))
        if spec.weight:
            columns.append(sql.quote(spec.weight))
        for j, q in enumerate(self.questions):
            col = sql.quote(q.code)
            columns.append(f"TRY_CAST({col} AS SMALLINT) AS a{j}")
            if j not in marked:
                continue
            shown = ""
            if q.show_if is not None:
                allowed = ", ".join(str(v) for v in sorted(q.show_if.values))
                shown = f" AND coalesce({sql.quote(q.show_if.question)} IN ({allowed}), false)"
            columns.append(f"({col} IS NULL{shown}) AS m{j}")
        return f"SELECT {', '.join(dict.fromkeys(columns))} FROM {relation}"

    def _moment_design(
        self, weighted: bool
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[np.float64] | None]:
        """Per question and slot, the entries of ``x = (m s, m)``, and the scale to apply to
        the moments afterwards (None: none).

        When every score is 0 or one value ``c_j`` (a share satisfied) and answers are not
        weighted, ``x`` is made of 0/1 indicators scaled afterwards: the products are then
        exact in single precision, which halves the work.
        """
        Q, L = self.levels.scores.shape
        scores = self.levels.scores * self.levels.valid
        scale = np.ones(2 * Q)
        binary = not weighted
        for j in range(Q):
            nonzero = {float(v) for v in scores[j][self.levels.valid[j]] if v != 0}
            binary = binary and len(nonzero) <= 1
            scale[j] = nonzero.pop() if len(nonzero) == 1 else 1.0
        dtype = np.float32 if binary else np.float64
        score_of = np.zeros((Q, L + 2), dtype=dtype)
        score_of[:, 1 : L + 1] = (scores / scale[:Q, None]) if binary else scores
        valid_of = np.zeros((Q, L + 2), dtype=dtype)
        valid_of[:, 1 : L + 1] = self.levels.valid
        return score_of, valid_of, (scale if binary else None)

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
        z2 = (np.matmul(u, M) * u).sum(axis=2)
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
        with np.errstate(invalid="ignore", divide="ignore"):
            kish_ratio = np.where(n > 0, W * W / Dg.sum(axis=2) / n, 0.0)
        bounds = np.array([self._bounds(comp.multiplier) for comp in self.composites])
        bounds = bounds.reshape(len(self.composites), 2)
        low_c, high_c = fig.composite_interval(
            estimate,
            np.sqrt(np.maximum(var_comp, 0.0)),
            fig.composite_floor_n(A, answered, kish_ratio, deff_comp),
            bounds[None, :, 0],
            bounds[None, :, 1],
            z,
        )
        out: list[dict[str, Any]] = []
        heads = [dict(zip(by, key, strict=True)) for key in keys]
        wanted = spec.levels
        item_rows = (
            self._item_rows(heads, ItemTables(Cg, Dg, W, index, n, m, var_item, deff_item), spec)
            if wanted is None or set(wanted) & set(self.kinds)
            else [[] for _ in heads]
        )
        if wanted is not None:  # question rows (item, perception, expectation) of those levels
            item_rows = [[r for r in rows if r["level"] in wanted] for rows in item_rows]
        n_comp = answered.astype(np.int64).tolist()
        valid_l, estimate_l = valid.tolist(), estimate.tolist()
        var_l, deff_l = _nones(var_comp), _nones(deff_comp)
        low_l, high_l = _nones(low_c), _nones(high_c)
        for g, head in enumerate(heads):
            out.extend(item_rows[g])
            for k, comp in enumerate(self.composites):
                if wanted is not None and comp.level not in wanted:
                    continue
                row: dict[str, Any] = {**head, "level": comp.level, "code": comp.code, "n": n_comp[g][k],
                                       "n_missing": None, "share_satisfied": None, "mean_score": None,
                                       "mean_index": None, "distribution": None, "n_eff": None}  # fmt: skip
                if not valid_l[g][k]:
                    row.update(index=None, low=None, high=None, se=None, deff=None, enough=False)
                else:
                    value, var = estimate_l[g][k], var_l[g][k]
                    se = math.sqrt(max(var, 0.0)) if var is not None else None
                    row.update(
                        index=value,
                        se=se,
                        low=low_l[g][k],
                        high=high_l[g][k],
                        deff=deff_l[g][k],
                        enough=n_comp[g][k] >= spec.min_n,
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
        absent = t.W <= 0
        for k in ("index", "low", "high", "se", "n_eff"):
            f[k] = np.where(absent, np.nan, f[k])
        c = {k: _nones(f[k]) for k in names}
        index, low, high, se, n_eff = c["index"], c["low"], c["high"], c["se"], c["n_eff"]
        share, mean, mean_index, deff = (
            c["share_satisfied"],
            c["mean_score"],
            c["mean_index"],
            c["deff"],
        )
        n, missing = t.n.astype(np.int64).tolist(), t.missing.astype(np.int64).tolist()
        widths = [len(v) for v in self.levels.values]
        dist = t.counts.tolist()
        items = [(j, self.kinds[j], q.code, widths[j]) for j, q in enumerate(self.questions)]
        min_n = spec.min_n
        out = []
        for g, head in enumerate(heads):
            ng, mg, dg = n[g], missing[g], dist[g]
            ig, lg, hg, sg, eg = index[g], low[g], high[g], se[g], n_eff[g]
            shg, mng, mig, dfg = share[g], mean[g], mean_index[g], deff[g]
            out.append(
                [
                    {
                        **head,
                        "level": kind,
                        "code": code,
                        "n": ng[j],
                        "n_missing": mg[j],
                        "distribution": dg[j][:width],
                        "enough": ng[j] >= min_n,
                        "index": ig[j],
                        "low": lg[j],
                        "high": hg[j],
                        "se": sg[j],
                        "n_eff": eg[j],
                        "share_satisfied": shg[j],
                        "mean_score": mng[j],
                        "mean_index": mig[j],
                        "deff": dfg[j],
                    }
                    for j, kind, code, width in items
                ]
            )
        return out

    def _bounds(self, multiplier: Any) -> tuple[float, float]:
        """The range a composite can take: 0–100, or the scale's range × multiplier (IKM 25–100)."""
        if self.rule != "mean_score":
            return 0.0, float(100 * multiplier)
        low = min(min(q.scale.values) for q in self.questions)
        high = max(max(q.scale.values) for q in self.questions)
        return float(low * multiplier), float(high * multiplier)


def _slices(rows: int, workers: int, most: int) -> list[list[tuple[int, int]]]:
    """Row ranges of at most ``most`` rows, dealt to ``workers`` in contiguous runs (one
    worker below ``PARALLEL_ROWS`` rows, where threads cost more than they bring)."""
    workers = 1 if rows < PARALLEL_ROWS else workers
    count = -(-rows // max(1, most))
    count = -(-count // workers) * workers
    size = -(-rows // count)
    ranges = [(a, min(a + size, rows)) for a in range(0, rows, size)]
    per = -(-len(ranges) // workers)
    return [ranges[i : i + per] for i in range(0, len(ranges), per)]


class _Pass:
    """The statistics of some row ranges of the selected answers, summed: one per worker."""

    def __init__(
        self,
        engine: Engine,
        table: pa.Table,
        cell: kernels.Codes,
        cells: int,
        weight: fig.Array | None,
        marked: set[int],
    ) -> None:
        self.table, self.cell, self.cells, self.weight, self.marked = (
            table,
            cell,
            cells,
            weight,
            marked,
        )
        Q, L = engine.levels.scores.shape
        self.Q, self.L, self.K = Q, L, len(engine.composites)
        tables: dict[tuple[tuple[int, ...], int], kernels.Slots] = {}
        self.lookups = []
        for j, values in enumerate(engine.levels.values):
            missing = 0 if j in marked else L + 1
            key = (tuple(values), missing)
            self.lookups.append(tables.setdefault(key, kernels.slot_table(values, missing)))
        score_of, valid_of, _ = engine._moment_design(weight is not None)
        self.moments = kernels.Moments(score_of, valid_of, engine._composite_items)

    def run(self, ranges: list[tuple[int, int]]) -> tuple[fig.Array, ...]:
        """``(counts, squares, plain, moments, answered)`` of ``ranges`` (weighted counts
        and squares only with a weight)."""
        Q, L, K, cells = self.Q, self.L, self.K, self.cells
        width = L + 2
        weighted = self.weight is not None
        counts = np.zeros((cells, Q, width)) if weighted else np.zeros((0, Q, width))
        squares = np.zeros((cells, Q, width)) if weighted else np.zeros((0, Q, width))
        plain = np.zeros((cells, Q, width))
        moments = np.zeros((cells, 2 * Q, 2 * Q))
        answered = np.zeros((cells, K))
        for start, stop in ranges:
            order, bounds = kernels.sort_by_cell(self.cell[start:stop], cells)
            ordered = self.cell[start:stop][order]
            w = self.weight[start:stop][order] if self.weight is not None else None
            S = np.empty((Q, stop - start), dtype=np.uint8)
            slot = np.empty(stop - start, dtype=np.uint8)
            for j in range(Q):
                kernels.slots(
                    self.table.column(f"a{j}").slice(start, stop - start), self.lookups[j], slot
                )
                if j in self.marked:
                    shown = self.table.column(f"m{j}").slice(start, stop - start)
                    slot[shown.to_numpy(zero_copy_only=False)] = L + 1
                np.take(slot, order, out=S[j], mode="clip")
            kernels.level_counts(S, ordered, cells, width, plain)
            if w is not None:
                base = kernels.base_index(ordered, width)
                w2 = w * w
                for j in range(Q):
                    index = base + S[j]
                    counts[:, j, :] += np.bincount(
                        index, weights=w, minlength=cells * width
                    ).reshape(cells, width)
                    squares[:, j, :] += np.bincount(
                        index, weights=w2, minlength=cells * width
                    ).reshape(cells, width)
            self.moments.add(S, bounds, w, moments, answered)
        return counts, squares, plain, moments, answered
