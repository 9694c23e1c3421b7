"""Questionnaires (instruments) as data.

An instrument file is YAML (schema ``hailong.instrument/1``, documented in
``docs/instruments.md``): scales, parts, factors, sections of questions, skip rules and
the aggregation rule. :func:`parse_instrument` turns it into frozen dataclasses and
refuses any file that breaks the schema, naming the bad element's path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import InstrumentError
from .labels import Label
from .scales import Scale

SCHEMA = "hailong.instrument/1"
ITEM_RULES = ("share_satisfied", "mean_score", "mean_index")
FACTOR_RULES = ("items_mean", "weighted", "direct")
OVERALL_RULES = ("mean_of_factors", "mean_of_parts", "weighted", "direct")
KINDS = ("yearly", "desk")
BUILTIN_DIR = Path(__file__).with_name("builtin")


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when ``question`` was answered with one of ``values``."""

    question: str
    values: frozenset[int]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        given = answers.get(self.question)
        if isinstance(given, list):
            return any(v in self.values for v in given)
        return given in self.values


@dataclass(frozen=True)
class Question:
    code: str
    text: Label
    scale: Scale
    factor: str | None = None
    required: bool = False
    not_applicable: bool = False
    show_if: ShowIf | None = None
    role: str = "other"

    @property
    def is_item(self) -> bool:
        """Whether the question is a satisfaction item that feeds an index."""
        return self.factor is not None


@dataclass(frozen=True)
class Section:
    code: str
    title: Label
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Part:
    code: str
    label: Label


@dataclass(frozen=True)
class Factor:
    code: str
    label: Label
    part: str | None = None
    rule: str = "items_mean"
    weights: tuple[tuple[str, Fraction], ...] = ()
    question: str | None = None


@dataclass(frozen=True)
class Grade:
    """A grade band: ``grade`` applies from ``lower`` (inclusive) upwards."""

    lower: Fraction
    grade: str
    label: Label


@dataclass(frozen=True)
class Aggregation:
    """How item answers become indices (methodology.md §4, §7).

    ``multiplier`` rescales the overall index (25 for the Indonesian IKM: mean × 25);
    ``grades`` map the overall index, rounded half up to 2 decimals, to a letter.
    """

    item: str = "share_satisfied"
    overall: str = "mean_of_factors"
    weights: tuple[tuple[str, Fraction], ...] = ()
    question: str | None = None
    multiplier: Fraction = Fraction(1)
    grades: tuple[Grade, ...] = ()

    def grade_of(self, value: float | None) -> Grade | None:
        """The grade band of an overall index value, or None."""
        if value is None or not self.grades:
            return None
        rounded = Fraction(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        for band in self.grades:
            if rounded >= band.lower:
                return band
        return None


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: Label
    kind: str
    parts: tuple[Part, ...]
    factors: tuple[Factor, ...]
    sections: tuple[Section, ...]
    aggregation: Aggregation
    description: Label | None = None

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, code: str) -> Question:
        for q in self.questions():
            if q.code == code:
                return q
        raise KeyError(code)

    def items(self, factor: str | None = None) -> list[Question]:
        """The satisfaction items, of one factor or of all."""
        return [q for q in self.questions() if q.is_item and (factor is None or q.factor == factor)]

    def minutes_to_answer(self) -> int:
        """What to tell a respondent before they start: about 9 s a question, to the minute.

        The province questionnaire's 32 questions make 5 minutes, as its announcement says;
        the desk form's 7, one.
        """
        return max(1, round(sum(1 for _ in self.questions()) * 9 / 60))


def digest(raw: Mapping[str, Any]) -> str:
    """A content hash of an instrument definition, stable across key order."""
    canonical = json.dumps(
        raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_instrument(path: Path) -> tuple[Instrument, dict[str, Any]]:
    """Read and validate an instrument file; return it with its raw mapping."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InstrumentError(
            str(path), f"YAML không đọc được: {exc}", f"unreadable YAML: {exc}"
        ) from exc
    return parse_instrument(raw), raw


def builtin_instruments() -> list[tuple[Instrument, dict[str, Any]]]:
    """The instruments hailong ships (methodology.md §3), sorted by file name."""
    return [load_instrument(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))]


def parse_instrument(raw: Any) -> Instrument:
    """Validate a raw instrument mapping and build the typed instrument."""
    from ._parse import parse

    return parse(raw)
