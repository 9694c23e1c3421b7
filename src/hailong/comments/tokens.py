"""Vietnamese word segmentation with pyvi (a CRF model shipped inside the wheel, no download).

Vietnamese writes one syllable at a time; a word is often two or three ("cán bộ", "xin lỗi",
"tốt nghiệp"). The tagger uses the words to keep a one-syllable cue from firing inside a longer
word: "lỗi" (a fault) is not a complaint in "xin lỗi" (sorry), nor "tốt" (good) in "tốt nghiệp"
(graduate).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from hailong.comments.normalise import Syllable

_PART = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from pyvi import ViTokenizer  # loads the CRF model once (about a second)

    return ViTokenizer


def words(text: str) -> list[str]:
    """The words of ``text`` as pyvi segments them, syllables joined by "_"."""
    return [w for w in _tokenizer().tokenize(text).split() if _PART.search(w)]


def word_lengths(syls: Sequence[Syllable]) -> list[int]:
    """For each syllable, how many syllables its pyvi word has (1 means a word of its own).

    Clauses are kept apart with a comma so pyvi never joins syllables across punctuation. If
    pyvi's output cannot be lined up with the syllables, every syllable counts as its own word.
    """
    pieces: list[str] = []
    for i, syl in enumerate(syls):
        if i and syl.clause != syls[i - 1].clause:
            pieces.append(",")
        pieces.append(syl.text)
    lengths: list[int] = []
    for word in words(" ".join(pieces)):
        parts = _PART.findall(word.replace("_", " "))
        lengths.extend([len(parts)] * len(parts))
    expected = [s.text for s in syls]
    if len(lengths) != len(expected):
        return [1] * len(syls)
    return lengths
