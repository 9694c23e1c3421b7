"""Checking one respondent's answers against their questionnaire.

Every channel (the web form, a kiosk, the API, paper entry) sends answers keyed by question
code. :class:`AnswerChecker` compiles an instrument once and then checks an answer set in a
few microseconds, because it runs on the public submission path:

- an unknown question code, a value off its scale, "not applicable" (code 99) where the
  question offers none, an answer to a question its skip rule hides, a missing required
  answer: each is a :class:`AnswerProblem` naming the question, in Vietnamese and English;
- "not applicable" and empty values are dropped (missing, never 0: methodology.md §4);
- free text is normalised to Unicode NFC, so the same Vietnamese word is stored one way.

:func:`answer_parse` is the one reader of typed text for every channel that sends text (the
HTML form through :meth:`AnswerChecker.parse_fields`, paper entry and file imports, ODK/Kobo
exports): codes, "99" or "không áp dụng", a decimal comma, ``27/11/2026`` or ``2026-11-27``.
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
        # precomputed for check(), which runs on every submission
        self._rules = tuple(
            (q.code, q.show_if.holds, q.show_if.question) for q in self._ruled if q.show_if
        )
        self._required_codes = frozenset(q.code for q in self._required)
        self._required_rules = tuple(
            (q.code, q.show_if.holds if q.show_if else None) for q in self._required
        )
        # a form's radio button sends a code exactly as written: read it by lookup
        self._code_texts = {
            code: {
                **{str(v): v for v in self._plain[code]},
                **({str(NOT_APPLICABLE): NOT_APPLICABLE} if q.not_applicable else {}),
            }
            for code, q in self.questions.items()
            if code in self._plain
        }

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
        for code, holds, gate in self._rules:
            if (code in answers or code in not_applicable) and not holds(answers):
                if drop_hidden:
                    answers.pop(code, None)
                    not_applicable.discard(code)
                    continue
                problems.append(
                    AnswerProblem(
                        code,
                        f"câu '{code}' có câu trả lời dù bị bỏ qua theo câu '{gate}'",
                        f"question '{code}' is answered although the answer to '{gate}' skips it",
                        "skipped",
                    )
                )
        if answers.keys() >= self._required_codes:  # the common case: nothing is missing
            return Checked(answers, frozenset(not_applicable), tuple(problems))
        refused = {p.question for p in problems}  # a bad value is not also reported missing
        for code, shown in self._required_rules:
            answered = code in answers or code in not_applicable
            if not answered and code not in refused and (shown is None or shown(answers)):
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
        "Not applicable" comes back as 99, which :meth:`check` sets apart.
        """
        typed: dict[str, Any] = {}
        problems: list[AnswerProblem] = []
        code_texts = self._code_texts
        for code, question in self.questions.items():
            texts = fields.get(code)
            if not texts:
                continue
            if len(texts) == 1 and code in code_texts:
                known = code_texts[code].get(texts[0])
                if known is not None:
                    typed[code] = known
                    continue
            try:
                value = answer_parse(question, texts)
            except Unreadable as exc:
                problems.append(
                    AnswerProblem(code, f"câu '{code}': {exc.vi}", f"question '{code}': {exc.en}")
                )
                continue
            if value is not None:
                typed[code] = value
        return typed, problems


# -- reading typed answers -----------------------------------------------------------------
#
# One reader for every channel that receives text instead of JSON values: the web form's
# fields, a sheet typed by a clerk, a spreadsheet import, an ODK/Kobo export. Codes are read,
# never labels (a label is worded differently in each language and version), except the words
# "không áp dụng" / "not applicable", which mean 99 on every scale.

CODED = ("ordinal", "choice", "multi")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,15}$")
# a decimal point or a Vietnamese decimal comma; no thousands separators: 1.000 is 1, not 1000
_DECIMAL = re.compile(r"^[+-]?([0-9]{1,15}[.,][0-9]{0,9}|[.,][0-9]{1,9})$")
_SEPARATORS = re.compile(r"[\s,;+]+")
_DMY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_YMD = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_NOT_APPLICABLE_WORDS = frozenset({"không áp dụng", "khong ap dung", "not applicable"})


class Unreadable(ValueError):
    """Text that cannot be an answer to its question, with the reason in Vietnamese and English.

    The reason does not name the question: each channel says where the text was (a form
    field, a sheet's line, a spreadsheet's row and column). ``kind`` lets a channel word
    one case its own way: code, number, date, repeated, not_applicable, length, outside.
    """

    def __init__(self, vi: str, en: str, kind: str = "outside") -> None:
        super().__init__(en)
        self.vi, self.en, self.kind = vi, en, kind


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def allowed_codes(question: Question) -> list[int]:
    """The codes that may be typed for a coded question, 99 last when it is offered."""
    codes = [o.value for o in question.scale.options]
    if question.not_applicable and question.scale.type in CODED:
        codes.append(NOT_APPLICABLE)
    return codes


def answer_parse(question: Question, text: str | Sequence[str], *, day_first: bool = True) -> Any:
    """The typed value of ``text`` for ``question``: None when blank, 99 for "not applicable".

    ``text`` is what was typed, or the list of strings a form sends for one field (the last
    one counts, except for several answers, where they all do). The value is on the
    question's scale, or :class:`Unreadable` says why not. Several answers may be separated
    by spaces, commas, semicolons or "+" and come back sorted; a number may use a decimal
    comma; text is stored in Unicode NFC without surrounding spaces. Dates are ``27/11/2026``
    (when ``day_first``) or ``2026-11-27``; machine exports pass ``day_first=False``, because
    a slashed date there was rewritten by a spreadsheet that may have swapped day and month.
    """
    scale = question.scale
    kind = scale.type
    if isinstance(text, str):
        raw = text
    elif kind == "multi":
        raw = " ".join(text)
    else:
        raw = next((t for t in reversed(text) if t.strip()), "")
    stripped = raw.strip()
    if not stripped:
        return None
    value: Any
    if kind in CODED:
        words = " ".join(unicodedata.normalize("NFC", stripped).casefold().split())
        if question.not_applicable and words in _NOT_APPLICABLE_WORDS:
            return NOT_APPLICABLE
        if kind == "multi":
            codes = [_code(part) for part in _SEPARATORS.split(stripped) if part]
            if NOT_APPLICABLE in codes and question.not_applicable:
                if len(codes) > 1:
                    raise Unreadable(
                        "'Không áp dụng' (99) không được chọn cùng lựa chọn khác",
                        "'not applicable' (99) cannot be chosen with other options",
                        "not_applicable",
                    )
                return NOT_APPLICABLE
            if len(set(codes)) != len(codes):
                raise Unreadable(
                    f"lựa chọn lặp lại: '{_shown(stripped)}'",
                    f"an option is repeated: '{_shown(stripped)}'",
                    "repeated",
                )
            value = sorted(codes)
        else:
            value = _code(stripped)
            if value == NOT_APPLICABLE and question.not_applicable:
                return NOT_APPLICABLE
    elif kind == "number":
        if _INTEGER.match(stripped):
            value = int(stripped)
        elif _DECIMAL.match(stripped):
            value = float(stripped.replace(",", "."))
        else:
            raise Unreadable(
                f"'{_shown(stripped)}' không phải là số",
                f"'{_shown(stripped)}' is not a number",
                "number",
            )
    elif kind == "date":
        value = date_parse(stripped, day_first=day_first)
    else:
        value = unicodedata.normalize("NFC", stripped)
        if len(value) > scale.max_length:
            raise Unreadable(
                f"câu trả lời dài {len(value)} ký tự, quá giới hạn {scale.max_length}",
                f"the answer is {len(value)} characters long, over {scale.max_length}",
                "length",
            )
    if not scale.accepts(value):
        shown = _shown(stripped)
        if kind in CODED:
            allowed = ", ".join(str(c) for c in allowed_codes(question))
            raise Unreadable(
                f"'{shown}' không phải mã hợp lệ (chọn: {allowed})",
                f"'{shown}' is not a valid code (choose: {allowed})",
            )
        low = "" if scale.minimum is None else _number(scale.minimum)
        high = "" if scale.maximum is None else _number(scale.maximum)
        raise Unreadable(
            f"'{shown}' nằm ngoài khoảng cho phép ({low}–{high})",
            f"'{shown}' is outside the allowed range ({low} to {high})",
        )
    return value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _code(text: str) -> int:
    if not _INTEGER.match(text):
        raise Unreadable(
            f"'{_shown(text)}' không phải mã số của lựa chọn",
            f"'{_shown(text)}' is not a numeric option code",
            "code",
        )
    return int(text)


def date_parse(text: str, *, day_first: bool = True) -> str:
    """An ISO date from ``27/11/2026`` (when ``day_first``) or ``2026-11-27``.

    A spreadsheet's date cell arrives as ``2026-11-27T00:00:00`` and is read too.
    """
    text = text.strip()
    match = _YMD.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif day_first and (match := _DMY.match(text)):
        day, month, year = (int(g) for g in match.groups())
    else:
        year = month = day = 0
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        pass
    if day_first:
        raise Unreadable(
            f"'{_shown(text)}' không phải ngày dạng ngày/tháng/năm (ví dụ 27/11/2026)",
            f"'{_shown(text)}' is not a day/month/year date (e.g. 27/11/2026)",
            "date",
        )
    raise Unreadable(
        f"'{_shown(text)}' không phải ngày dạng YYYY-MM-DD",
        f"'{_shown(text)}' is not a YYYY-MM-DD date",
        "date",
    )
