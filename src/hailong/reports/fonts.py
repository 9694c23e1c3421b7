"""The Noto fonts typst and the charts draw with (Debian fonts-noto-core)."""

from __future__ import annotations

from hailong.qrcodes.printables import FONT_DIR

__all__ = ["FONT_DIR"]
