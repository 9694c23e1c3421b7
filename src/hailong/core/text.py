"""Vietnamese text helpers shared by the web layer and the comments package (no Django)."""

from __future__ import annotations

import unicodedata


def strip_diacritics(text: str) -> str:
    """The text without tone marks and vowel marks: NFD, drop combining marks, đ → d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))
