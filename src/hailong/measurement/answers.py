"""Checking one respondent's answers against their questionnaire.

Every channel (the web form, a kiosk, the API, paper entry) sends answers keyed by question
code. :class:`AnswerChecker` compiles an instrument once and then checks an answer set in a
few microseconds, because it runs on the public submission path:

- an unknown question code, a value off its scale, "not applicable" (code 99) where the
  question offers none, an answer to a question its skip rule hides, a missing required
  answer: each is a :class:`AnswerProblem` naming the question, in Vietnamese and English;
- "not applicable" and empty values are dropped (missing, never 0: methodology.md §4);
- free text is normalised to Unicode NFC, so the same Vietnamese word is stored one way.

:meth:`AnswerChecker.parse_fields` turns the strings of an HTML form (or a paper sheet typed
by a clerk) into typed values first; dates may be written ``27/11/2026`` or ``2026-11-27``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .instruments import Instrument, Question

NOT_APPLICABLE = 99
_INTEGER = re.compile(r"^[+-]?\d{1,12}$")
_DECIMAL = re.compile(r"^[+-]?\d{1,12}([.,]\d{1,6})?$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with the answer to ``question`` ("" for the answer set as a whole)."""

    question: str
    vi: str
    en: str
    kind: str = "value"  # unknown, value, not_applicable, skipped, required

    def as_dict(self) -> dict[str, str]:
        return {"field": self.question, "vi": self.vi, "en": self.en}


@dataclass(frozen=True)
class Checked:
    """Answers ready to store (missing values dropped), and what was wrong, if anything."""

    answers: dict[str, Any]
    not_applicable: frozenset[str]
    problems: tuple[AnswerProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class AnswerChecker:
    """An instrument compiled for checking answers quickly; build once, use many times."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.questions: dict[str, Question] = {q.code: q for q in instrument.questions()}
        self._values = {
            code: frozenset(o.value for o in q.scale.options) for code, q in self.questions.items()
        }
        # the common case, an option code of a single-choice question, is checked in one step
        self._plain = {
            code: values - {NOT_APPLICABLE}
            for code, values in self._values.items()
            if self.questions[code].scale.type in ("ordinal", "choice")
        }
        self._ruled = [q for q in self.questions.values() if q.show_if is not None]
        self._required = [q for q in self.questions.values() if q.required]

    def shown(self, question: Question, answers: Mapping[str, Any]) -> bool:
        return question.show_if is None or question.show_if.holds(answers)

    def check(self, raw: Mapping[str, Any], *, drop_hidden: bool = False) -> Checked:
        """Check typed answers (JSON values); ``drop_hidden`` silently drops skipped questions.

        A web form keeps the answer to a question that a later change of mind hides; it is
        dropped rather than refused. Integrating systems should send only what was asked.
        """
        answers: dict[str, Any] = {}
        not_applicable: set[str] = set()
        problems: list[AnswerProblem] = []
        plain = self._plain
        for code, value in raw.items():
            allowed = plain.get(code)
            if allowed is not None and type(value) is int and value in allowed:
                answers[code] = value
                continue
            question = self.questions.get(code)
            if question is None:
                problems.append(
                    AnswerProblem(
                        str(code)[:64],
                        f"không có câu hỏi mã '{str(code)[:64]}' trong phiếu",
                        f"the questionnaire has no question '{str(code)[:64]}'",
                        "unknown",
                    )
                )
                continue
            if value is None or value == "" or value == []:
                continue
            if value == NOT_APPLICABLE or value == [NOT_APPLICABLE]:
                if question.not_applicable:
                    not_applicable.add(code)
                    continue
                problems.append(
                    AnswerProblem(
                        code,
                        f"câu '{code}' không có lựa chọn 'Không áp dụng'",
                        f"question '{code}' has no 'not applicable' option",
                        "not_applicable",
                    )
                )
                continue
            problem = self._value_problem(question, value)
            if problem is not None:
                problems.append(problem)
                continue
            if question.scale.type == "text":
                value = unicodedata.normalize("NFC", value).strip()
                if not value:  # only spaces: no answer, as an empty box
                    continue
            answers[code] = value
        for question in self._ruled:
            code = question.code
            if (code in answers or code in not_applicable) and not self.shown(question, answers):
                if drop_hidden:
                    answers.pop(code, None)
                    not_applicable.discard(code)
                    continue
                gate = question.show_if.question if question.show_if else ""
                problems.append(
                    AnswerProblem(
                        code,
                        f"câu '{code}' có câu trả lời dù bị bỏ qua theo câu '{gate}'",
                        f"question '{code}' is answered although the answer to '{gate}' skips it",
                        "skipped",
                    )
                )
        refused = {p.question for p in problems}  # a bad value is not also reported missing
        for question in self._required:
            code = question.code
            answered = code in answers or code in not_applicable
            if not answered and code not in refused and self.shown(question, answers):
                problems.append(
                    AnswerProblem(
                        code,
                        f"câu '{code}' bắt buộc phải trả lời",
                        f"question '{code}' must be answered",
                        "required",
                    )
                )
        return Checked(answers, frozenset(not_applicable), tuple(problems))

    def _value_problem(self, question: Question, value: Any) -> AnswerProblem | None:
        scale = question.scale
        code = question.code
        kind = scale.type
        if kind in ("ordinal", "choice"):
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and value in self._values[code]
            ):
                return None
        elif kind == "multi":
            if (
                isinstance(value, list)
                and len(set(value)) == len(value)
                and all(
                    isinstance(v, int) and not isinstance(v, bool) and v in self._values[code]
                    for v in value
                )
            ):
                return None
        elif kind == "text":
            if not isinstance(value, str):
                return AnswerProblem(
                    code, f"câu '{code}' cần một đoạn chữ", f"question '{code}' takes text"
                )
            if len(value) > scale.max_length:
                return AnswerProblem(
                    code,
                    f"câu '{code}' dài {len(value)} ký tự, quá giới hạn {scale.max_length}",
                    f"the answer to '{code}' is {len(value)} characters, over {scale.max_length}",
                )
            return None
        elif scale.accepts(value):
            return None
        shown = repr(value) if not isinstance(value, str) else f"'{value[:40]}'"
        return AnswerProblem(
            code,
            f"{shown} không phải câu trả lời hợp lệ cho câu '{code}' (thang '{scale.code}')",
            f"{shown} is not a valid answer to question '{code}' (scale '{scale.code}')",
        )

    def parse_fields(
        self, fields: Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, Any], list[AnswerProblem]]:
        """Typed values from form fields (each field a list of strings, as a form sends them).

        Fields that are not question codes are ignored: a form carries other fields too.
        """
        typed: dict[str, Any] = {}
        problems: list[AnswerProblem] = []
        for code, question in self.questions.items():
            texts = [t for t in fields.get(code, ()) if t.strip()]
            if not texts:
                continue
            try:
                typed[code] = _parse_text(question, texts)
            except _Unreadable as exc:
                problems.append(AnswerProblem(code, exc.vi, exc.en))
        return typed, problems


class _Unreadable(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _parse_text(question: Question, texts: list[str]) -> Any:
    kind = question.scale.type
    code = question.code
    if kind == "multi":
        return [_parse_int(question, t) for t in texts]
    text = texts[-1].strip()
    if kind in ("ordinal", "choice"):
        return _parse_int(question, text)
    if kind == "number":
        if _INTEGER.match(text):
            return int(text)
        if _DECIMAL.match(text):
            return float(text.replace(",", "."))
        raise _Unreadable(
            f"câu '{code}': '{text[:40]}' không phải là số",
            f"question '{code}': '{text[:40]}' is not a number",
        )
    if kind == "date":
        match = _VN_DATE.match(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day).isoformat()
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _Unreadable(
                f"câu '{code}': '{text[:40]}' không phải ngày (ngày/tháng/năm)",
                f"question '{code}': '{text[:40]}' is not a date (day/month/year)",
            ) from None
    return texts[-1]


def _parse_int(question: Question, text: str) -> int:
    text = text.strip()
    if not _INTEGER.match(text):
        raise _Unreadable(
            f"câu '{question.code}': '{text[:40]}' không phải mã lựa chọn",
            f"question '{question.code}': '{text[:40]}' is not an option code",
        )
    return int(text)
