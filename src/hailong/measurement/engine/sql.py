"""SQL for the engine's two scans (DuckDB dialect)."""

from __future__ import annotations

from collections.abc import Sequence

from ..instruments import Question


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _codes(values: frozenset[int] | set[int]) -> str:
    return ", ".join(str(v) for v in sorted(values))


def item_score(question: Question, rule: str, value: int) -> float:
    """Respondent score ``s_ij`` of one answer code under the item rule.

    ``share_satisfied``: 100 for a top level, 0 otherwise, so that the mean score is the
    share satisfied in percent; ``mean_score``: the code itself; ``mean_index``:
    ``100 (y − min) / (max − min)`` (``100 (mean − 1) / 4`` on a 5-point scale).
    """
    values = sorted(question.scale.values)
    if rule == "share_satisfied":
        return 100.0 if value in question.scale.top else 0.0
    if rule == "mean_score":
        return float(value)
    return 100.0 * (value - values[0]) / (values[-1] - values[0])


def score(question: Question, rule: str, table: str = "") -> str:
    """``s_ij`` as SQL: NULL when the answer is missing or outside the scale."""
    col = (f"{table}." if table else "") + quote(question.code)
    by_score: dict[float, list[int]] = {}
    for v in sorted(question.scale.values):
        by_score.setdefault(item_score(question, rule, v), []).append(v)
    cases = " ".join(f"WHEN {col} IN ({_codes(set(vs))}) THEN {s!r}" for s, vs in by_score.items())
    return f"(CASE {cases} END)"


def cells(
    relation: str, questions: Sequence[Question], keys: Sequence[str], weight: str | None
) -> str:
    """Scan 1: per cell and question, per answer level ``c{q}_{v}`` (count or Σw) and ``d{q}_{v}``
    (Σw², weighted only), the valid count ``n{q}`` (weighted only) and the missing count
    ``m{q}`` among those the question was shown to."""
    w = quote(weight) if weight else None
    parts = [*(quote(k) for k in keys), "count(*) AS n_rows"]
    for qi, q in enumerate(questions):
        col = quote(q.code)
        for v in sorted(q.scale.values):
            if w:
                parts.append(f"sum({w}) FILTER (WHERE {col} = {v}) AS c{qi}_{v}")
                parts.append(f"sum({w} * {w}) FILTER (WHERE {col} = {v}) AS d{qi}_{v}")
            else:
                parts.append(f"count_if({col} = {v}) AS c{qi}_{v}")
        if w:
            parts.append(f"count_if({col} IN ({_codes(q.scale.values)})) AS n{qi}")
        shown = (
            f"{quote(q.show_if.question)} IN ({_codes(q.show_if.values)}) AND "
            if q.show_if is not None
            else ""
        )
        parts.append(f"count_if({shown}{col} IS NULL) AS m{qi}")
    group = f" GROUP BY {', '.join(quote(k) for k in keys)}" if keys else ""
    # Identifiers are quoted and every literal is an integer code from a validated instrument.
    return f"SELECT {', '.join(parts)} FROM {relation}{group}"


def linearized(
    relation: str,
    params: str,
    by: Sequence[str],
    weight: str | None,
    questions: Sequence[Question],
    blocks: Sequence[Sequence[int]],
    pairs: Sequence[tuple[int, int]],
    composites: Sequence[Sequence[int]],
    rule: str,
) -> str:
    """Scan 2: per group, the cross-products of the blocks' linearized contributions.

    For block b (a factor's items), ``z_ib = Σ_{j∈b} k_bj (s_ij − I_j)`` with the group's
    ``k_bj`` and ``I_j`` from ``params`` (columns ``k{b}_{j}``, ``p{j}``); a composite's
    contribution is a weighted sum of its blocks' contributions, so ``Σ_i z_ic²`` follows
    from ``zz{b}_{b'} = Σ_i w_i² z_ib z_ib'``. ``r{c}`` counts respondents who answered
    at least one item of composite c."""
    keys = [quote(k) for k in by]
    w = f"{quote(weight)} AS _w, " if weight else ""
    needed = sorted({j for block in blocks for j in block})
    scores = ", ".join(f"{score(questions[j], rule)} AS s{j}" for j in needed)
    inner = f"SELECT {''.join(k + ', ' for k in keys)}{w}{scores} FROM {relation}"
    zs, answered = [], []
    for b, block in enumerate(blocks):
        zs.append(
            " + ".join(f"coalesce(p.k{b}_{j} * (s.s{j} - p.p{j}), 0)" for j in block) + f" AS z{b}"
        )
        answered.append("(" + " OR ".join(f"s.s{j} IS NOT NULL" for j in block) + f") AS r{b}")
    on = " AND ".join(f"s.{k} IS NOT DISTINCT FROM p.{k}" for k in keys) or "TRUE"
    carry = "".join(f"s.{k}, " for k in keys) + ("s._w, " if weight else "")
    middle = f"SELECT {carry}{', '.join(zs + answered)} FROM s JOIN {params} p ON {on}"
    ww = "_w * _w * " if weight else ""
    outer = [f"sum({ww}z{b} * z{c}) AS zz{b}_{c}" for b, c in pairs]
    outer += [
        f"count_if({' OR '.join(f'r{b}' for b in members)}) AS r{i}"
        for i, members in enumerate(composites)
    ]
    select = "".join(k + ", " for k in keys)
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    return f"WITH s AS ({inner}), z AS ({middle}) SELECT {select}{', '.join(outer)} FROM z{group}"
