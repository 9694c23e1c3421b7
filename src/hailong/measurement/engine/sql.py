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
    cases = " ".join(
        f"WHEN {col} = {v} THEN {item_score(question, rule, v)!r}"
        for v in sorted(question.scale.values)
    )
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
    return f"SELECT {', '.join(parts)} FROM {relation}{group}"  # noqa: S608


def linearized(
    relation: str,
    params: str,
    by: Sequence[str],
    weight: str | None,
    composites: Sequence[tuple[str, Sequence[tuple[int, Question]]]],
    rule: str,
) -> str:
    """Scan 2: per group and composite, ``Σ z_i²`` as ``z{c}`` and respondents with an answer
    as ``r{c}``; ``params`` holds, per group, ``k{c}_{q} = a_j / W_j`` and ``p{q} = I_j``."""
    w = f"a.{quote(weight)} * " if weight else ""
    terms = []
    for name, members in composites:
        zsum = " + ".join(
            f"coalesce(p.k{name}_{qi} * ({score(q, rule, 'a')} - p.p{qi}), 0)" for qi, q in members
        )
        answered = " OR ".join(f"{score(q, rule, 'a')} IS NOT NULL" for _, q in members)
        terms.append(f"sum(power({w}({zsum}), 2)) AS z{name}, count_if({answered}) AS r{name}")
    keys = ", ".join(f"a.{quote(k)}" for k in by)
    on = " AND ".join(f"a.{quote(k)} IS NOT DISTINCT FROM p.{quote(k)}" for k in by) or "TRUE"
    select = f"{keys}, " if keys else ""
    group = f" GROUP BY {keys}" if keys else ""
    return f"SELECT {select}{', '.join(terms)} FROM {relation} a JOIN {params} p ON {on}{group}"  # noqa: S608
