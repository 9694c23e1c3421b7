"""Reading typed codes into answers and checking a whole sheet against its questionnaire.

Used by the paper entry screen and the file imports alike, so a sheet typed by hand and a row
of a spreadsheet are held to the same rules: each value on its question's scale, required
questions answered, and no answer to a question its skip rule hides.

Typed text (a clerk types ``1 3`` for two options, ``27/11/2026`` for a date) is read by the
core's ``measurement.answers.answer_parse``, the same reader as the web form's and the ODK
exports'; the questionnaire's rules are checked there too, like every other channel's.
It never imports Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hailong.measurement.answers import CODED, NOT_APPLICABLE, AnswerChecker, answer_parse
from hailong.measurement.answers import Unreadable as Refused
from hailong.measurement.answers import date_parse as _date_parse
from hailong.measurement.instruments import Instrument, Question

__all__ = [
    "CODED",
    "AnswerProblem",
    "Refused",
    "answer_parse",
    "answer_text",
    "answers_for_storage",
    "date_parse",
    "legend",
    "sheet_read",
]


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with one question's answer, in Vietnamese and English."""

    code: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


def legend(question: Question, language: str = "vi") -> list[tuple[str, str]]:
    """The codes a clerk may type for a question, with their labels."""
    scale = question.scale
    pairs = [(str(o.value), o.label.get(language)) for o in scale.options]
    if question.not_applicable and scale.type in CODED:
        pairs.append(
            (str(NOT_APPLICABLE), "Không áp dụng" if language == "vi" else "Not applicable")
        )
    return pairs


def date_parse(text: str) -> str:
    """A date typed on a sheet or in an import: ``27/11/2026`` or ``2026-11-27``."""
    return _date_parse(text, day_first=True)


def answer_text(value: object) -> str:
    """A stored value written back the way a clerk types it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _named(question: Question) -> tuple[str, str]:
    return (
        f"Câu {question.code} ({question.text.vi})",
        f"question {question.code} ({question.text.get('en')})",
    )


def sheet_read(
    instrument: Instrument, typed: Mapping[str, str]
) -> tuple[dict[str, object], list[AnswerProblem]]:
    """Parse every typed answer of a sheet and check the sheet's rules.

    Returns the answers by question code (blank ones left out, "not applicable" kept as 99)
    and the problems, each naming its question's code and text.
    """
    values: dict[str, object] = {}
    problems: list[AnswerProblem] = []
    refused: set[str] = set()
    for q in instrument.questions():
        try:
            value = answer_parse(q, typed.get(q.code, ""))
        except Refused as refusal:
            vi, en = _named(q)
            problems.append(AnswerProblem(q.code, f"{vi}: {refusal.vi}", f"{en}: {refusal.en}"))
            refused.add(q.code)
            continue
        if value is not None:
            values[q.code] = value
    # the sheet's rules (required questions, skip rules) are the questionnaire's, checked
    # by the same code as every other channel; a refused answer is not also reported missing
    checked = AnswerChecker(instrument).check(values)
    for found in checked.problems:
        q = instrument.question(found.question)
        gate = q.show_if.question if q.show_if else None
        if found.question in refused or gate in refused:
            continue
        vi, en = _named(q)
        if found.kind == "skipped":
            problems.append(
                AnswerProblem(
                    q.code,
                    f"{vi}: phải để trống vì câu {gate} không mở câu này",
                    f"{en}: must be blank, because question {gate} skips it",
                )
            )
        elif found.kind == "required":
            problems.append(
                AnswerProblem(q.code, f"{vi}: câu bắt buộc, chưa có", f"{en}: required, missing")
            )
        else:
            problems.append(AnswerProblem(q.code, f"{vi}: {found.vi}", f"{en}: {found.en}"))
    return values, problems


def answers_for_storage(instrument: Instrument, values: Mapping[str, object]) -> dict[str, object]:
    """Drop "not applicable" (99): a stored answer is absent then, never a code."""
    out: dict[str, object] = {}
    for q in instrument.questions():
        if q.code not in values:
            continue
        value = values[q.code]
        if q.not_applicable and q.scale.type in CODED and value == NOT_APPLICABLE:
            continue
        out[q.code] = value
    return out
