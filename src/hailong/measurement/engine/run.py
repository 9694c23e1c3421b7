"""Running the two scans and assembling one row per (group, level, code)."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..composites import Block, composites, described_questions, index_questions
from ..instruments import Instrument
from ..intervals import critical_value, wilson
from . import figures as fig
from . import kernels, sql


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
        # Scan 2 works on blocks (a factor's items with their weights), shared by composites.
        self._blocks: list[Block] = []
        self._members: list[list[tuple[int, float]]] = []
        for comp in self.composites:
            members = []
            for block in comp.blocks:
                plain = Block(weight=Fraction(1), items=block.items)
                if plain not in self._blocks:
                    self._blocks.append(plain)
                members.append((self._blocks.index(plain), float(comp.multiplier * block.weight)))
            self._members.append(members)
        self._pairs = sorted(
            {(min(b, c), max(b, c)) for m in self._members for b, _ in m for c, _ in m}
        )

    def compute(self, con: Any, relation: str, spec: Spec) -> list[dict[str, Any]]:
        """One dict per group × (item | factor | part | overall) with estimate and interval.

        Keys: the grouping columns, ``level``, ``code``, ``index`` (None: no data), ``low``,
        ``high``, ``se``, ``n``, ``n_missing``, ``n_eff``, ``deff``, ``enough``, and for items
        ``share_satisfied``, ``mean_score``, ``mean_index``, ``distribution``.
        """
        by = tuple(spec.by)
        clustered = spec.cluster is not None and spec.cluster not in by
        table = con.sql(self._select(relation, spec, clustered)).to_arrow_table()
        if table.num_rows == 0:
            return []
        group, keys = kernels.encode([table.column(k) for k in by], table.num_rows)
        G = len(keys)
        if clustered and spec.cluster:
            cluster, _ = kernels.encode([table.column(spec.cluster)], table.num_rows)
            K = int(cluster.max()) + 1
            cell, cells = group * K + cluster, G * K
        else:
            K, cell, cells = 1, group, G
        weight = None
        if spec.weight:
            weight = (
                pc.fill_null(table.column(spec.weight), 0.0)
                .to_numpy(zero_copy_only=False)
                .astype(np.float64)
            )
        lvl, counts, squares, n_cell, missing = self._counts(table, cell, cells, weight)
        rows_per_cell = np.bincount(cell, minlength=cells)
        del table
        group_of = np.arange(cells) // K
        shape = (G, K, *counts.shape[1:])
        Cg = counts.reshape(shape).sum(axis=1)
        Dg = squares.reshape(shape).sum(axis=1)
        n = n_cell.reshape(G, K, -1).sum(axis=1)
        m = missing.reshape(G, K, -1).sum(axis=1)
        S = self.levels.scores
        W, index = fig.item_index(Cg, S)
        var_item = fig.item_var_srs(Dg, S, W, index, n)
        A = fig.coefficients(self.composites, self.codes, W > 0)
        valid: npt.NDArray[np.bool_] = np.asarray(~np.isnan(A).any(axis=2))
        A = np.nan_to_num(A)
        estimate = np.einsum("gkq,gq->gk", A, np.nan_to_num(index))
        with np.errstate(invalid="ignore", divide="ignore"):
            k_coef = np.where(W[:, None, :] > 0, A / W[:, None, :], 0.0)
        z2, answered = self._linearized(group, G, lvl, weight, W, index)
        var_comp = np.where(answered > 1, z2 * answered / np.maximum(answered - 1, 1), np.nan)
        deff_item = np.full(W.shape, np.nan)
        deff_comp = np.full(estimate.shape, np.nan)
        if clustered:
            occupied = rows_per_cell > 0
            R = fig.residuals(counts[occupied], S, index, group_of[occupied])
            g_occ = group_of[occupied]
            with np.errstate(invalid="ignore", divide="ignore"):
                cl_item, n_clusters = fig.cluster_var(
                    np.where(W[g_occ] > 0, R / W[g_occ], 0.0), g_occ, G
                )
                cl_comp, _ = fig.cluster_var(np.einsum("cq,ckq->ck", R, k_coef[g_occ]), g_occ, G)
                many = (n_clusters >= 2)[:, None]
                deff_item = np.where(many & (var_item > 0), cl_item / var_item, np.nan)
                deff_comp = np.where(many & (var_comp > 0), cl_comp / var_comp, np.nan)
                var_comp = np.where(many & ~np.isnan(cl_comp), cl_comp, var_comp)
        z = critical_value(spec.confidence)
        out: list[dict[str, Any]] = []
        items = ItemTables(Cg, Dg, W, index, n, m, var_item, deff_item)
        for g, key in enumerate(keys):
            head = dict(zip(by, key, strict=True))
            out.extend(self._item_row(head, g, j, items, spec) for j in range(len(self.questions)))
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

    def _select(self, relation: str, spec: Spec, clustered: bool) -> str:
        """What the kernels read: groups, cluster, weight, and per question its answer code
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
    ) -> tuple[list[npt.NDArray[np.uint8]], fig.Array, fig.Array, fig.Array, fig.Array]:
        """Scan 1: per cell the level counts, squared weights, valid answers and missing
        answers of every question; also returns each answer's slot (0 invalid, 1..L its
        level, L+1 missing though shown). Questions run on a thread pool: NumPy releases
        the GIL in these loops."""
        Q, L = self.levels.scores.shape
        base = kernels.base_index(cell, L + 2)

        def one(j: int) -> tuple[npt.NDArray[np.uint8], fig.Array, fig.Array | None, fig.Array]:
            slot = kernels.levels(table.column(f"a{j}"), self.levels.values[j])
            absent = table.column(f"m{j}").to_numpy(zero_copy_only=False)
            slot[absent] = L + 1
            index = base + slot
            plain = (
                np.bincount(index, minlength=cells * (L + 2))
                .astype(np.float64)
                .reshape(cells, L + 2)
            )
            if weight is None:
                return slot, plain, None, plain
            size = cells * (L + 2)
            weighted = np.asarray(
                np.bincount(index, weights=weight, minlength=size), dtype=np.float64
            )
            squared = np.asarray(
                np.bincount(index, weights=weight * weight, minlength=size), dtype=np.float64
            )
            return slot, weighted.reshape(cells, L + 2), squared.reshape(cells, L + 2), plain

        counts = np.zeros((cells, Q, L))
        squares = np.zeros((cells, Q, L)) if weight is not None else counts
        n = np.zeros((cells, Q))
        missing = np.zeros((cells, Q))
        slots = []
        with ThreadPoolExecutor(THREADS) as pool:
            for j, (slot, c, d, plain) in enumerate(pool.map(one, range(Q))):
                slots.append(slot)
                counts[:, j, :] = c[:, 1 : L + 1]
                if d is not None:
                    squares[:, j, :] = d[:, 1 : L + 1]
                n[:, j] = plain[:, 1 : L + 1].sum(axis=1)
                missing[:, j] = plain[:, L + 1]
        return slots, counts, squares, n, missing

    def _linearized(
        self,
        group: kernels.Codes,
        G: int,
        slots: list[npt.NDArray[np.uint8]],
        weight: fig.Array | None,
        W: fig.Array,
        index: fig.Array,
    ) -> tuple[fig.Array, fig.Array]:
        """Scan 2: ``Σ z_i²`` and respondents with an answer, per group and composite.

        A block's contribution ``z_ib = Σ_{j∈b} k_bj (s_ij − I_j)`` is a lookup in a small
        (group × slot) table per item; a composite's is a weighted sum of its blocks', so
        ``Σ_i z_ic² = Σ_b Σ_d w_b w_d Σ_i z_ib z_id``.
        """
        L = self.levels.scores.shape[1]
        base = kernels.base_index(group, L + 2)
        answers_slot = np.zeros(L + 2, dtype=bool)
        answers_slot[1 : L + 1] = True

        def block_z(block: Block) -> tuple[fig.Array, npt.NDArray[np.bool_]]:
            share = np.nan_to_num(fig.block_shares(block, self._position, W > 0))
            with np.errstate(invalid="ignore", divide="ignore"):
                k = np.where(W > 0, share / W, 0.0)
            zb = np.zeros(len(group))
            answered = np.zeros(len(group), dtype=bool)
            for j in sorted({self._position[c] for c, _ in block.items}):
                lookup = np.zeros((G, L + 2))
                centred = self.levels.scores[None, j, :] - np.nan_to_num(index[:, j])[:, None]
                lookup[:, 1 : L + 1] = k[:, j, None] * centred * self.levels.valid[None, j, :]
                zb += lookup.ravel()[base + slots[j]]
                answered |= answers_slot[slots[j]]
            if weight is not None:
                zb *= weight
            return zb, answered

        with ThreadPoolExecutor(THREADS) as pool:
            blocks = list(pool.map(block_z, self._blocks))
            products = pool.map(
                lambda pair: np.bincount(
                    group, weights=blocks[pair[0]][0] * blocks[pair[1]][0], minlength=G
                ),
                self._pairs,
            )
            cross = dict(zip(self._pairs, products, strict=True))
        z2 = np.zeros((G, len(self.composites)))
        answered = np.zeros_like(z2)
        for c, members in enumerate(self._members):
            for b, wb in members:
                for d, wd in members:
                    z2[:, c] += wb * wd * cross[(min(b, d), max(b, d))]
            any_answer = blocks[members[0][0]][1].copy()
            for b, _ in members[1:]:
                any_answer |= blocks[b][1]
            answered[:, c] = np.bincount(group[any_answer], minlength=G)
        return z2, answered

    def _item_row(
        self, head: dict[str, Any], g: int, j: int, t: ItemTables, spec: Spec
    ) -> dict[str, Any]:
        Cg, Dg, W, index, n, m, var, deff = (
            t.counts,
            t.squares,
            t.W,
            t.index,
            t.n,
            t.missing,
            t.var,
            t.deff,
        )
        q = self.questions[j]
        values = self.levels.values[j]
        dist = [float(Cg[g, j, i]) for i in range(len(values))]
        row: dict[str, Any] = {**head, "level": self.kinds[j], "code": q.code, "n": int(n[g, j]), "n_missing": int(m[g, j]),
                               "distribution": dist, "deff": _number(deff[g, j]), "enough": int(n[g, j]) >= spec.min_n}  # fmt: skip
        total = float(W[g, j])
        if total <= 0:
            row.update(
                index=None,
                low=None,
                high=None,
                se=None,
                n_eff=None,
                share_satisfied=None,
                mean_score=None,
                mean_index=None,
            )
            return row
        mean = sum(v * c for v, c in zip(values, dist, strict=True)) / total
        top = sum(c for v, c in zip(values, dist, strict=True) if v in q.scale.top)
        row.update(
            index=float(index[g, j]),
            share_satisfied=100.0 * top / total if q.scale.top else None,
            mean_score=mean,
            mean_index=100.0 * (mean - values[0]) / (values[-1] - values[0]),
        )
        inflate = max(1.0, row["deff"] or 1.0)
        sum_w2 = float(Dg[g, j].sum())
        n_eff = total * total / sum_w2 / inflate
        variance = _number(var[g, j])
        se = math.sqrt(variance * inflate) if variance is not None else None
        rule = self.rule if self.kinds[j] == "item" else "share_satisfied"
        if not q.scale.top and rule == "share_satisfied":
            # a choice without "top" levels (e.g. a preferred channel) has a distribution only
            row.update(index=None, low=None, high=None, se=None, n_eff=n_eff)
        elif rule == "share_satisfied":
            low, high = wilson(row["index"] / 100.0 * n_eff, n_eff, spec.confidence)
            row.update(low=100.0 * low, high=100.0 * high, se=se, n_eff=n_eff)
        elif se is None:
            row.update(low=None, high=None, se=None, n_eff=n_eff)
        else:
            z = critical_value(spec.confidence)
            scores = self.levels.scores[j, : len(values)]
            low, high = (
                max(float(scores.min()), row["index"] - z * se),
                min(float(scores.max()), row["index"] + z * se),
            )
            row.update(low=low, high=high, se=se, n_eff=n_eff)
        return row

    def _bounds(self, multiplier: Any) -> tuple[float, float]:
        """The range a composite can take: 0–100, or the scale's range × multiplier (IKM 25–100)."""
        if self.rule != "mean_score":
            return 0.0, float(100 * multiplier)
        low = min(min(q.scale.values) for q in self.questions)
        high = max(max(q.scale.values) for q in self.questions)
        return float(low * multiplier), float(high * multiplier)
