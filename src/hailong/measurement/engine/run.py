"""Running the two scans and assembling one row per (group, level, code)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..composites import Block, composites, index_questions
from ..instruments import Instrument
from ..intervals import critical_value, wilson
from . import figures as fig
from . import sql


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
        self.questions = [instrument.question(c) for c in index_questions(instrument)]
        self.codes = [q.code for q in self.questions]
        self.composites = composites(instrument)
        self.levels = fig.Levels.of(self.questions, self.rule)
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
        keys = (*by, spec.cluster) if clustered and spec.cluster else by
        table = con.sql(sql.cells(relation, self.questions, keys, spec.weight)).to_arrow_table()
        if table.num_rows == 0:
            return []
        cell_keys = (
            list(zip(*(table.column(k).to_pylist() for k in by), strict=True))
            if by
            else [()] * table.num_rows
        )
        groups: dict[tuple[Any, ...], int] = {}
        group_of = np.array([groups.setdefault(k, len(groups)) for k in cell_keys], dtype=np.intp)
        G = len(groups)
        counts, squares, n_cell, missing = self._cell_arrays(table, spec.weight is not None)
        Cg = fig.group_sum(counts, group_of, G)
        Dg = fig.group_sum(squares, group_of, G)
        n = fig.group_sum(n_cell, group_of, G)
        m = fig.group_sum(missing, group_of, G)
        S = self.levels.scores
        W, index = fig.item_index(Cg, S)
        var_item = fig.item_var_srs(Dg, S, W, index, n)
        A = fig.coefficients(self.composites, self.codes, W > 0)
        valid: npt.NDArray[np.bool_] = np.asarray(~np.isnan(A).any(axis=2))
        A = np.nan_to_num(A)
        estimate = np.einsum("gkq,gq->gk", A, np.nan_to_num(index))
        with np.errstate(invalid="ignore", divide="ignore"):
            k_coef = np.where(W[:, None, :] > 0, A / W[:, None, :], 0.0)
        z2, answered = self._linearized(con, relation, spec, list(groups), W, index)
        var_comp = np.where(answered > 1, z2 * answered / np.maximum(answered - 1, 1), np.nan)
        deff_item = np.full(W.shape, np.nan)
        deff_comp = np.full(estimate.shape, np.nan)
        if clustered:
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
        for key, g in groups.items():
            head = dict(zip(by, key, strict=True))
            items = ItemTables(Cg, Dg, W, index, n, m, var_item, deff_item)
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

    def _cell_arrays(
        self, table: pa.Table, weighted: bool
    ) -> tuple[fig.Array, fig.Array, fig.Array, fig.Array]:
        C, (Q, L) = table.num_rows, self.levels.scores.shape

        def column(name: str) -> fig.Array:
            return np.nan_to_num(table.column(name).to_numpy(zero_copy_only=False).astype(float))

        counts = np.zeros((C, Q, L))
        squares = np.zeros((C, Q, L)) if weighted else counts
        n = np.zeros((C, Q))
        missing = np.zeros((C, Q))
        for j, values in enumerate(self.levels.values):
            for i, v in enumerate(values):
                counts[:, j, i] = column(f"c{j}_{v}")
                if weighted:
                    squares[:, j, i] = column(f"d{j}_{v}")
            n[:, j] = column(f"n{j}") if weighted else counts[:, j, :].sum(axis=1)
            missing[:, j] = column(f"m{j}")
        return counts, squares, n, missing

    def _linearized(
        self,
        con: Any,
        relation: str,
        spec: Spec,
        keys: list[tuple[Any, ...]],
        W: fig.Array,
        index: fig.Array,
    ) -> tuple[fig.Array, fig.Array]:
        """Scan 2: ``Σ z_i²`` and respondents with an answer, per group and composite."""
        by = tuple(spec.by)
        params: dict[str, Any] = {name: [key[i] for key in keys] for i, name in enumerate(by)}
        params.update({f"p{j}": np.nan_to_num(index[:, j]) for j in range(len(self.questions))})
        block_items = []
        for b, block in enumerate(self._blocks):
            share = np.nan_to_num(fig.block_shares(block, self._position, W > 0))
            with np.errstate(invalid="ignore", divide="ignore"):
                k = np.where(W > 0, share / W, 0.0)
            items = sorted({self._position[c] for c, _ in block.items})
            block_items.append(items)
            params.update({f"k{b}_{j}": k[:, j] for j in items})
        composites = [[b for b, _ in members] for members in self._members]
        query = sql.linearized(
            relation,
            "_hailong_params",
            by,
            spec.weight,
            self.questions,
            block_items,
            self._pairs,
            composites,
            self.rule,
        )
        position = {key: g for g, key in enumerate(keys)}
        z2 = np.zeros((len(keys), len(self.composites)))
        answered = np.zeros_like(z2)
        con.register("_hailong_params", pa.table(params))
        try:
            rows = con.sql(query).fetchall()
        finally:
            con.unregister("_hailong_params")
        pair_index = {pair: i for i, pair in enumerate(self._pairs)}
        for r in rows:
            g = position[tuple(r[: len(by)])]
            cross = r[len(by) : len(by) + len(self._pairs)]
            counts = r[len(by) + len(self._pairs) :]
            for c, members in enumerate(self._members):
                total = 0.0
                for b, wb in members:
                    for d, wd in members:
                        total += wb * wd * float(cross[pair_index[(min(b, d), max(b, d))]] or 0.0)
                z2[g, c] = total
                answered[g, c] = int(counts[c] or 0)
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
        row: dict[str, Any] = {**head, "level": "item", "code": q.code, "n": int(n[g, j]), "n_missing": int(m[g, j]),
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
        if self.rule == "share_satisfied":
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
