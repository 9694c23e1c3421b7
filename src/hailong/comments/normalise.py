"""Normalise a Vietnamese comment and cut it into syllables that keep their place in the text.

People write comments on phones: in NFD or NFC, with double spaces, in teencode ("ko", "dc")
and often without diacritics. Matching works on syllables of a lower-case, NFC copy in which
the short forms of ``lexicon.yaml`` (``spelling:``) are written out; every syllable keeps the
character span it came from in the normalised text, so the evidence of a tag points at what
the person actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from hailong.core.text import strip_diacritics

_SPACE = re.compile(r"\s+")
_SYLLABLE = re.compile(r"\w+")
# A clause ends at punctuation; a negation does not reach across it.
_BREAK = re.compile(r"[,.;:!?()\[\]\n…]|\s-\s")
# ... and so does it at "nhưng" (but): "không đẹp nhưng nhanh" negates "đẹp" only.
_CONJUNCTIONS = frozenset({"nhưng", "nhung"})


def normalise(text: str) -> str:
    """NFC, one space between words, no space at either end."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True, slots=True)
class Syllable:
    """One syllable of the matching copy.

    ``text`` is lower-case with diacritics (a short form is replaced by its first syllable, the
    others follow with the same span); ``bare`` says the writer used no diacritics on it;
    ``start``/``end`` index the normalised text; ``clause`` numbers the clause it is in.
    """

    text: str
    bare: bool
    start: int
    end: int
    clause: int


def syllables(text: str, spelling: Mapping[str, str] | None = None) -> list[Syllable]:
    """Cut a normalised text into lower-case syllables, writing out short forms.

    ``spelling`` maps a whole lower-case token ("ko", "đc", "cb") to what it stands for
    ("không", "được", "cán bộ"); it is applied to whole tokens only, so "k" in "5k" is kept.
    """
    spelling = spelling or {}
    out: list[Syllable] = []
    clause = 0
    last = 0
    for match in _SYLLABLE.finditer(text):
        token = match.group().lower()
        if _BREAK.search(text, last, match.start()) or token in _CONJUNCTIONS:
            clause += 1
        last = match.end()
        written = spelling.get(token, token)
        for part in written.split():
            out.append(
                Syllable(
                    text=part,
                    bare=strip_diacritics(token) == token and written == token,
                    start=match.start(),
                    end=match.end(),
                    clause=clause,
                )
            )
    return out
