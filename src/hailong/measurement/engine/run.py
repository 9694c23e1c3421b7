"""Running the two scans and assembling one row per (group, level, code)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..composites import composites, index_questions
from ..instruments import Instrument
from ..intervals import critical_value, kish_effective_n, wilson
from . import sql
from .figures import ItemStats, cluster_var, item_figures, item_stats


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


class Engine:
    """Index tables of one instrument over an answers relation in DuckDB.

    >>> engine = Engine(instrument)
    >>> rows = engine.compute(con, "answers", Spec(by=("unit_id",)))
    """

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.rule = instrument.aggregation.item
        self.questions = [instrument.question(c) for c in index_questions(instrument)]
        self.composites = composites(instrument)
        self._position = {q.code: i for i, q in enumerate(self.questions)}

    def compute(self, con: Any, relation: str, spec: Spec) -> list[dict[str, Any]]:
        """One dict per group × (item | factor | part | overall) with estimate and interval.

        Keys: the grouping columns, ``level``, ``code``, ``index`` (None: no data), ``low``,
        ``high``, ``se``, ``n``, ``n_missing``, ``n_eff``, ``deff``, ``enough``, and for items
        ``share_satisfied``, ``mean_score``, ``mean_index``, ``distribution``.
        """
        by = tuple(spec.by)
        clustered = spec.cluster is not None and spec.cluster not in by
        keys = (*by, spec.cluster) if clustered and spec.cluster else by
        rel = con.sql(sql.cells(relation, self.questions, keys, spec.weight))
        names = rel.columns
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for values in rel.fetchall():
            cell = dict(zip(names, values, strict=True))
            groups.setdefault(tuple(cell[k] for k in by), []).append(cell)
        weighted = spec.weight is not None
        stats = {
            g: item_stats(cells, self.questions, self.rule, weighted) for g, cells in groups.items()
        }
        z2 = self._linearized(con, relation, spec, stats)
        z = critical_value(spec.confidence)
        out: list[dict[str, Any]] = []
        for g, cells in groups.items():
            keys_of = dict(zip(by, g, strict=True))
            cl_cells = cells if clustered and len(cells) >= 2 else None
            out.extend(self._item_rows(keys_of, stats[g], cl_cells, spec))
            out.extend(self._composite_rows(keys_of, stats[g], z2.get(g, []), cl_cells, spec, z))
        return out

    def _coefficients(self, stats: Sequence[ItemStats]) -> list[dict[str, float] | None]:
        has_data = {q.code: stats[i].W > 0 for i, q in enumerate(self.questions)}
        return [c.coefficients(has_data) for c in self.composites]

    def _linearized(
        self, con: Any, relation: str, spec: Spec, stats: Mapping[tuple[Any, ...], list[ItemStats]]
    ) -> dict[tuple[Any, ...], list[tuple[float, int]]]:
        import pyarrow as pa

        if not stats:
            return {}
        by = tuple(spec.by)
        members = [
            (
                str(ci),
                [
                    (self._position[c], self.questions[self._position[c]])
                    for c in sorted(comp.item_codes)
                ],
            )
            for ci, comp in enumerate(self.composites)
        ]
        params: dict[str, list[Any]] = {k: [] for k in by}
        for qi in range(len(self.questions)):
            params[f"p{qi}"] = []
        for name, items in members:
            for qi, _ in items:
                params[f"k{name}_{qi}"] = []
        for g, st in stats.items():
            for key, value in zip(by, g, strict=True):
                params[key].append(value)
            for qi, s in enumerate(st):
                params[f"p{qi}"].append(s.index if s.index is not None else 0.0)
            for (name, items), coef in zip(members, self._coefficients(st), strict=True):
                for qi, q in items:
                    a = (coef or {}).get(q.code, 0.0)
                    params[f"k{name}_{qi}"].append(a / st[qi].W if st[qi].W > 0 else 0.0)
        con.register("_hailong_params", pa.table(params))
        try:
            query = sql.linearized(relation, "_hailong_params", by, spec.weight, members, self.rule)
            rows = con.sql(query).fetchall()
        finally:
            con.unregister("_hailong_params")
        n = len(self.composites)
        return {
            tuple(r[: len(by)]): [
                (float(r[len(by) + 2 * i] or 0.0), int(r[len(by) + 2 * i + 1] or 0))
                for i in range(n)
            ]
            for r in rows
        }

    def _item_rows(
        self,
        keys: dict[str, Any],
        stats: list[ItemStats],
        cells: list[dict[str, Any]] | None,
        spec: Spec,
    ) -> list[dict[str, Any]]:
        rows = []
        for qi, q in enumerate(self.questions):
            s = stats[qi]
            row: dict[str, Any] = {
                **keys,
                "level": "item",
                "code": q.code,
                "index": s.index,
                "n": s.n,
                "n_missing": s.missing,
            }
            row.update(item_figures(q, s))
            var = s.var_srs()
            deff = None
            if cells is not None and var:
                deff = cluster_var(cells, {qi: 1.0 / s.W}, stats) / var
            row.update(self._item_interval(s, var, deff, spec), deff=deff, enough=s.n >= spec.min_n)
            rows.append(row)
        return rows

    def _item_interval(
        self, s: ItemStats, var: float | None, deff: float | None, spec: Spec
    ) -> dict[str, Any]:
        """Wilson for a share (on the effective n), normal for a mean; a design effect above
        1 widens the interval, one below 1 is not allowed to narrow it."""
        index = s.index
        if index is None:
            return {"low": None, "high": None, "se": None, "n_eff": None}
        inflate = max(1.0, deff or 1.0)
        n_eff = kish_effective_n(s.W, s.sum_w2) / inflate
        se = math.sqrt(var * inflate) if var is not None else None
        if self.rule == "share_satisfied":
            low, high = wilson(index / 100.0 * n_eff, n_eff, spec.confidence)
            return {"low": 100.0 * low, "high": 100.0 * high, "se": se, "n_eff": n_eff}
        if se is None:
            return {"low": None, "high": None, "se": None, "n_eff": n_eff}
        z = critical_value(spec.confidence)
        low_bound, high_bound = min(s.scores.values()), max(s.scores.values())
        return {
            "low": max(low_bound, index - z * se),
            "high": min(high_bound, index + z * se),
            "se": se,
            "n_eff": n_eff,
        }

    def _composite_rows(
        self,
        keys: dict[str, Any],
        stats: list[ItemStats],
        z2: list[tuple[float, int]],
        cells: list[dict[str, Any]] | None,
        spec: Spec,
        z: float,
    ) -> list[dict[str, Any]]:
        rows = []
        for ci, (comp, coef) in enumerate(
            zip(self.composites, self._coefficients(stats), strict=True)
        ):
            sum_z2, n_resp = z2[ci] if ci < len(z2) else (0.0, 0)
            row: dict[str, Any] = {**keys, "level": comp.level, "code": comp.code, "n": n_resp, "n_missing": None,
                                   "share_satisfied": None, "mean_score": None, "mean_index": None,
                                   "distribution": None, "n_eff": None, "deff": None}  # fmt: skip
            if coef is None:
                row.update(index=None, low=None, high=None, se=None, enough=False)
                rows.append(row)
                continue
            estimate = sum(a * (stats[self._position[c]].index or 0.0) for c, a in coef.items())
            var = sum_z2 * n_resp / (n_resp - 1) if n_resp > 1 else None
            if cells is not None and var:
                k = {self._position[c]: a / stats[self._position[c]].W for c, a in coef.items()}
                clustered = cluster_var(cells, k, stats)
                row["deff"] = clustered / var
                var = clustered
            row.update(index=estimate, enough=n_resp >= spec.min_n)
            if var is None:
                row.update(low=None, high=None, se=None)
            else:
                se = math.sqrt(max(var, 0.0))
                floor, ceiling = self._bounds(comp.multiplier)
                low, high = max(floor, estimate - z * se), min(ceiling, estimate + z * se)
                row.update(low=low, high=high, se=se)
            rows.append(row)
        return rows

    def _bounds(self, multiplier: Any) -> tuple[float, float]:
        """The range a composite can take: 0–100, or the scale's range × multiplier (IKM 25–100)."""
        if self.rule != "mean_score":
            return 0.0, float(100 * multiplier)
        low = min(min(q.scale.values) for q in self.questions)
        high = max(max(q.scale.values) for q in self.questions)
        return float(low * multiplier), float(high * multiplier)
