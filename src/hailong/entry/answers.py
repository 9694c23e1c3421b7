"""Reading typed codes into answers and checking a whole sheet against its questionnaire.

Used by the paper entry screen and the file imports alike, so a sheet typed by hand and a row
of a spreadsheet are held to the same rules: each value on its question's scale, required
questions answered, and no answer to a question its skip rule hides.

Typed text is read here (a clerk types ``1 3`` for two options, ``27/11/2026`` for a date);
the questionnaire's rules are checked by ``measurement/answers.py`` like every other channel's.
It never imports Django.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from hailong.measurement.answers import AnswerChecker
from hailong.measurement.instruments import Instrument, Question
from hailong.measurement.xlsform import NOT_APPLICABLE

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+[.,]?\d*|[.,]\d+)$")
_SEPARATORS = re.compile(r"[\s,;+]+")
CODED = ("ordinal", "choice", "multi")


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with one question's answer, in Vietnamese and English."""

    code: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class Refused(Exception):
    """A typed value that cannot be an answer, with the reason in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi, self.en = vi, en


def legend(question: Question, language: str = "vi") -> list[tuple[str, str]]:
    """The codes a clerk may type for a question, with their labels."""
    scale = question.scale
    pairs = [(str(o.value), o.label.get(language)) for o in scale.options]
    if question.not_applicable and scale.type in CODED:
        pairs.append(
            (str(NOT_APPLICABLE), "Không áp dụng" if language == "vi" else "Not applicable")
        )
    return pairs


def _code(text: str) -> int:
    if not _INTEGER.match(text):
        raise Refused(f"'{text}' không phải mã số", f"'{text}' is not a numeric code")
    return int(text)


def answer_parse(question: Question, text: str) -> object | None:
    """The value typed for a question; None when blank. "Not applicable" stays as 99."""
    text = text.strip()
    if not text:
        return None
    scale = question.scale
    allowed = ", ".join(code for code, _ in legend(question))
    value: object
    if scale.type in ("ordinal", "choice"):
        value = _code(text)
        if value == NOT_APPLICABLE and question.not_applicable:
            return value
    elif scale.type == "multi":
        codes = [_code(part) for part in _SEPARATORS.split(text) if part]
        if NOT_APPLICABLE in codes and question.not_applicable:
            if len(codes) > 1:
                raise Refused(
                    "'Không áp dụng' (99) không được chọn cùng lựa chọn khác",
                    "'not applicable' (99) cannot be chosen with other options",
                )
            return NOT_APPLICABLE
        if len(set(codes)) != len(codes):
            raise Refused(f"lựa chọn lặp lại: '{text}'", f"an option is repeated: '{text}'")
        value = sorted(codes)
    elif scale.type == "number":
        if _INTEGER.match(text):
            value = int(text)
        elif _DECIMAL.match(text):
            value = float(text.replace(",", "."))
        else:
            raise Refused(f"'{text}' không phải là số", f"'{text}' is not a number")
    elif scale.type == "date":
        value = date_parse(text)
    else:
        value = text
    if not scale.accepts(value):
        if scale.type in CODED:
            raise Refused(
                f"'{text}' không phải mã hợp lệ (chọn: {allowed})",
                f"'{text}' is not a valid code (choose: {allowed})",
            )
        raise Refused(f"'{text}' không hợp lệ", f"'{text}' is not a valid answer")
    return value


def date_parse(text: str) -> str:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise Refused(f"'{text}' không phải ngày dạng DD/MM/YYYY", f"'{text}' is not a DD/MM/YYYY date")


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
