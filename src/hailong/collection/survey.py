"""The public questionnaire as a sequence of screens, without any state on the server.

Each section of the instrument is one screen. The answers of the screens already passed
travel with the form as hidden fields, and the signed form token (campaign, unit, procedure,
desk, invitation code, issue time, idempotency key) travels with them; so a respondent on a
weak network loses nothing when a request fails and is simply sent again, no session row is
written per visitor, and any app node can serve the next screen. The last screen posts to the
submission route (:mod:`hailong.collection.intake`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hailong.measurement.answers import NOT_APPLICABLE, AnswerChecker, AnswerProblem
from hailong.measurement.instruments import Instrument, Question, Section

if TYPE_CHECKING:
    from hailong.instruments.models import InstrumentVersion


_checkers: dict[tuple[int, str], AnswerChecker] = {}


def checker_for(version: InstrumentVersion) -> AnswerChecker:
    """A compiled checker per stored questionnaire version (keyed by its content hash)."""
    key = (version.pk, version.digest)
    if key not in _checkers:
        _checkers[key] = AnswerChecker(version.to_core())
    return _checkers[key]


@dataclass(frozen=True)
class QuestionView:
    """A question as the template shows it: its options, its current value, its error."""

    question: Question
    text: str
    options: list[tuple[str, str]]  # (value, label)
    selected: frozenset[str]
    value: str
    error: str
    required: bool
    condition: str  # words saying when to answer, for a skip rule on this same screen
    condition_question: str
    condition_values: str

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def kind(self) -> str:
        return self.question.scale.type


def screens(instrument: Instrument) -> list[Section]:
    return [s for s in instrument.sections if s.questions]


def screen_problems(
    checker: AnswerChecker, typed: dict[str, Any], upto: int
) -> dict[str, AnswerProblem]:
    """Problems with the answers of the screens up to ``upto`` (later screens not yet seen)."""
    seen = {q.code for s in screens(checker.instrument)[: upto + 1] for q in s.questions}
    checked = checker.check(typed, drop_hidden=True)
    return {p.question: p for p in checked.problems if p.question in seen}


def question_views(
    checker: AnswerChecker,
    section: Section,
    fields: Mapping[str, Sequence[str]],
    problems: Mapping[str, AnswerProblem],
    typed: dict[str, Any],
    language: str,
) -> list[QuestionView]:
    """The questions of one screen, skipping those that earlier screens' answers hide."""
    on_screen = {q.code for q in section.questions}
    views = []
    for q in section.questions:
        rule = q.show_if
        condition = condition_question = condition_values = ""
        if rule is not None:
            if rule.question not in on_screen and not rule.holds(typed):
                continue  # hidden by an answer given on an earlier screen
            if rule.question in on_screen:
                gate = checker.questions[rule.question]
                labels = [
                    o.label.get(language) for o in gate.scale.options if o.value in rule.values
                ]
                condition = " / ".join(labels)
                condition_question = rule.question
                condition_values = " ".join(str(v) for v in sorted(rule.values))
        options = [(str(o.value), o.label.get(language)) for o in q.scale.options]
        if q.not_applicable and q.scale.type in ("ordinal", "choice", "multi"):
            options.append((str(NOT_APPLICABLE), _not_applicable(language)))
        given = [t for t in fields.get(q.code, ()) if t != ""]
        problem = problems.get(q.code)
        views.append(
            QuestionView(
                question=q,
                text=q.text.get(language),
                options=options,
                selected=frozenset(given),
                value=given[-1] if given else "",
                error=(problem.en if language == "en" else problem.vi) if problem else "",
                required=q.required and not condition,
                condition=condition,
                condition_question=condition_question,
                condition_values=condition_values,
            )
        )
    return views


def _not_applicable(language: str) -> str:
    return "Not applicable" if language == "en" else "Không áp dụng"


def carried(
    fields: Mapping[str, Sequence[str]], checker: AnswerChecker, exclude: set[str]
) -> list[tuple[str, str]]:
    """Hidden (name, value) pairs of the answers given on other screens."""
    pairs = []
    for code in checker.questions:
        if code in exclude:
            continue
        for value in fields.get(code, ()):
            if value != "":
                pairs.append((code, value))
    return pairs
