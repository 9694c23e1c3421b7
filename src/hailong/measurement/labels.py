"""Bilingual labels: Vietnamese first, English second."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InstrumentError


@dataclass(frozen=True)
class Label:
    """A text in Vietnamese and English; English falls back to Vietnamese."""

    vi: str
    en: str = ""

    def get(self, language: str = "vi") -> str:
        if language.startswith("en") and self.en:
            return self.en
        return self.vi

    def __str__(self) -> str:
        return self.vi


def parse_label(raw: Any, path: str) -> Label:
    """Read ``{vi: ..., en: ...}`` or a plain Vietnamese string."""
    if isinstance(raw, str) and raw.strip():
        return Label(vi=raw.strip())
    if isinstance(raw, dict) and isinstance(raw.get("vi"), str) and raw["vi"].strip():
        en = raw.get("en") or ""
        if not isinstance(en, str):
            raise InstrumentError(
                path + ".en", "nhãn tiếng Anh phải là chuỗi", "the English label must be text"
            )
        return Label(vi=raw["vi"].strip(), en=en.strip())
    raise InstrumentError(
        path,
        "thiếu nhãn tiếng Việt (vi)",
        "the Vietnamese label (vi) is missing",
    )
