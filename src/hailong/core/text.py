"""Vietnamese text helpers shared by the web layer and the comments package (no Django)."""

from __future__ import annotations

import unicodedata
from typing import TypeAlias

# Vietnamese dictionary order of the letters, each with its vowel mark (ă â ê ô ơ ư are letters of
# their own, not accented a, e, o, u); f j w z sit where the Latin alphabet has them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"  # one code point each in NFC
_LETTER_RANK = {unicodedata.normalize("NFD", letter): rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make another letter (breve, circumflex, horn), and the five tone marks in dictionary
# order after the level tone: huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng.
_VOWEL_MARKS = frozenset("\u0306\u0302\u031b")
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER_LETTER = len(_ALPHABET)  # letters outside the alphabet come after z, by code point

_Token: TypeAlias = tuple[int, int | tuple[tuple[int, int], ...], int]


def strip_diacritics(text: str) -> str:
    """The text without tone marks and vowel marks: NFD, drop combining marks, đ → d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def vietnamese_sort_key(text: str) -> tuple[tuple[_Token, ...], str]:
    """A key for ``sorted()`` that puts Vietnamese text in dictionary order.

    The rules are those of Vietnamese dictionaries as written down by Vũ Xuân Lương (Vietnam
    Lexicography Centre), "Quy tắc sắp xếp đơn vị từ vựng trong từ điển tiếng Việt"
    (https://vietlex.com/xu-li-ngon-ngu/29-Quy_tac_sap_xep_don_vi_tu_vung_trong_tu_dien_tieng_Viet,
    in English at http://vietunicode.sourceforge.net/charset/quytacABC_en.html); the letter and
    tone order agree with CLDR's Vietnamese collation (https://unicode.org/cldr/charts/47/collation/vi.html):

    - letters in the order a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z);
      a letter with a vowel mark is a letter of its own, so every ``Đ…`` comes after every ``D…``
      and before ``E…``;
    - syllable by syllable (words are split at spaces and punctuation): the letters decide first,
      the tone only when the letters are the same — no tone, huyền, hỏi, ngã, sắc, nặng
      (``ba < bà < bả < bã < bá < bạ``; ``ang < ảnh``), and a syllable that is a prefix of
      another comes first (``Hà < Hàm``, ``Ba < Ba Đình < Bà``);
    - a run of digits is one number, compared by value and before any word (``Phường 2`` before
      ``Phường 10``).

    Case is ignored (text is case-folded), composed (NFC) and decomposed (NFD) input give the same
    key, and so does the tone mark put on either vowel (``hoà``/``hòa``) at every level but the
    last, which is the case-folded decomposed text so that different texts never tie. Plain
    Python, no locale, no ICU.
    """
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())
    tokens: list[_Token] = []
    letters: list[tuple[int, int]] = []
    tone = 0
    digits = ""

    def syllable_end() -> None:
        nonlocal tone
        if letters:
            tokens.append((1, tuple(letters), tone))
            letters.clear()
            tone = 0

    def number_end() -> None:
        nonlocal digits
        if digits:
            tokens.append((0, int(digits), 0))
            digits = ""

    i, n = 0, len(folded)
    while i < n:
        ch = folded[i]
        marks = ""
        j = i + 1
        while j < n and unicodedata.combining(folded[j]):
            marks += folded[j]
            j += 1
        if ch.isdecimal():
            syllable_end()
            digits += ch
        elif ch.isalpha():
            number_end()
            base = ch + "".join(sorted(m for m in marks if m in _VOWEL_MARKS))
            rank = _LETTER_RANK.get(base)
            letters.append((rank, 0) if rank is not None else (_OTHER_LETTER, ord(ch)))
            if not tone:
                tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        else:  # spaces, punctuation, stray marks: they only separate syllables
            syllable_end()
            number_end()
        i = j
    syllable_end()
    number_end()
    return tuple(tokens), folded
