"""Answer scales: what a question accepts and which codes count as "satisfied".

Codes are stored, never labels (methodology.md §2). "Not applicable" and "no answer"
are missing values: they are left out of every denominator, never counted as 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from .errors import InstrumentError
from .labels import Label, parse_label

ScaleType = Literal["ordinal", "choice", "multi", "text", "number", "date"]
SCALE_TYPES: tuple[str, ...] = ("ordinal", "choice", "multi", "text", "number", "date")


@dataclass(frozen=True)
class Option:
    value: int
    label: Label


@dataclass(frozen=True)
class Scale:
    """A set of accepted answers.

    ``top`` lists the codes that count as satisfied (for a satisfaction scale) or as
    the top levels (for an expectation scale); the share of ``top`` answers is the
    default item index (methodology.md §4).
    """

    code: str
    type: ScaleType
    options: tuple[Option, ...] = ()
    top: frozenset[int] = frozenset()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 2000

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is a valid, non-missing answer on this scale."""
        if self.type in ("ordinal", "choice"):
            return isinstance(value, int) and not isinstance(value, bool) and value in self.values
        if self.type == "multi":
            return (
                isinstance(value, list)
                and len(value) > 0
                and len(set(value)) == len(value)
                and all(
                    isinstance(v, int) and not isinstance(v, bool) and v in self.values
                    for v in value
                )
            )
        if self.type == "text":
            return (
                isinstance(value, str) and len(value.strip()) > 0 and len(value) <= self.max_length
            )
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            low_ok = self.minimum is None or value >= self.minimum
            high_ok = self.maximum is None or value <= self.maximum
            return low_ok and high_ok
        if self.type == "date":
            if not isinstance(value, str):
                return False
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return False
            return True
        return False  # pragma: no cover - types are validated at load

    def label_of(self, value: int, language: str = "vi") -> str:
        for option in self.options:
            if option.value == value:
                return option.label.get(language)
        return str(value)


def _options(pairs: list[tuple[int, str, str]]) -> tuple[Option, ...]:
    return tuple(Option(value=v, label=Label(vi=vi, en=en)) for v, vi, en in pairs)


BUILTIN_SCALES: dict[str, Scale] = {
    "satisfaction5": Scale(
        code="satisfaction5",
        type="ordinal",
        options=_options(
            [
                (1, "Rất không hài lòng", "Very dissatisfied"),
                (2, "Không hài lòng", "Dissatisfied"),
                (3, "Bình thường", "Neutral"),
                (4, "Hài lòng", "Satisfied"),
                (5, "Rất hài lòng", "Very satisfied"),
            ]
        ),
        top=frozenset({4, 5}),
    ),
    "agreement5": Scale(
        code="agreement5",
        type="ordinal",
        options=_options(
            [
                (1, "Hoàn toàn không đồng ý", "Strongly disagree"),
                (2, "Không đồng ý", "Disagree"),
                (3, "Bình thường", "Neutral"),
                (4, "Đồng ý", "Agree"),
                (5, "Hoàn toàn đồng ý", "Strongly agree"),
            ]
        ),
        top=frozenset({4, 5}),
    ),
    "none_some_many": Scale(
        code="none_some_many",
        type="ordinal",
        options=_options([(1, "Không có", "None"), (2, "Một số", "Some"), (3, "Nhiều", "Many")]),
        top=frozenset({1}),
    ),
    "yes_no": Scale(
        code="yes_no",
        type="choice",
        options=_options([(1, "Có", "Yes"), (2, "Không", "No")]),
        top=frozenset({1}),
    ),
    "much_little": Scale(
        code="much_little",
        type="ordinal",
        options=_options(
            [(1, "Ít", "A little"), (2, "Nhiều", "Much"), (3, "Rất nhiều", "Very much")]
        ),
        top=frozenset({2, 3}),
    ),
    "text": Scale(code="text", type="text"),
    "number": Scale(code="number", type="number"),
    "date": Scale(code="date", type="date"),
}


def parse_scale(code: str, raw: Any, path: str) -> Scale:
    """Build a scale declared in an instrument file."""
    if not isinstance(raw, dict):
        raise InstrumentError(
            path, "thang đo phải là một bảng khóa–giá trị", "a scale must be a mapping"
        )
    kind = raw.get("type")
    if kind not in SCALE_TYPES:
        raise InstrumentError(
            path + ".type",
            f"loại thang đo '{kind}' không hợp lệ (chọn: {', '.join(SCALE_TYPES)})",
            f"scale type '{kind}' is not valid (choose: {', '.join(SCALE_TYPES)})",
        )
    options: list[Option] = []
    seen: set[int] = set()
    for i, raw_option in enumerate(raw.get("options") or []):
        opath = f"{path}.options[{i}]"
        if not isinstance(raw_option, dict):
            raise InstrumentError(
                opath, "lựa chọn phải có value và label", "an option needs a value and a label"
            )
        value = raw_option.get("value")
        if not isinstance(value, int) or isinstance(value, bool):
            raise InstrumentError(
                opath + ".value",
                "mã lựa chọn phải là số nguyên",
                "an option code must be an integer",
            )
        if value in seen:
            raise InstrumentError(
                opath + ".value",
                f"mã lựa chọn {value} bị trùng",
                f"option code {value} is repeated",
            )
        seen.add(value)
        options.append(
            Option(value=value, label=parse_label(raw_option.get("label"), opath + ".label"))
        )
    if kind in ("ordinal", "choice", "multi") and len(options) < 2:
        raise InstrumentError(
            path + ".options", "cần ít nhất hai lựa chọn", "at least two options are needed"
        )
    top = raw.get("top") or []
    if not isinstance(top, list) or any(t not in seen for t in top):
        raise InstrumentError(
            path + ".top",
            "các mức 'top' phải là mã lựa chọn của thang đo",
            "the 'top' levels must be option codes of the scale",
        )
    return Scale(
        code=code,
        type=kind,
        options=tuple(options),
        top=frozenset(top),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
    )
