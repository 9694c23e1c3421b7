"""Scores and identifiers shared by the engine and its SQL callers (DuckDB dialect)."""

from __future__ import annotations

from ..instruments import Question


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
