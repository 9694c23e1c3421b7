"""Crockford's base 32: the alphabet of everything a person reads aloud or types from paper.

Digits and upper-case letters without I, L, O and U, so a code survives a cheap printer, a
phone's auto-capitalisation and being read over the telephone: a reader takes lower case as
upper case and the look-alikes O, I and L as 0, 1 and 1. Receipts, tracking codes,
invitation codes and QR links all spell their symbols here.

A code a person types ends in a check symbol from the same alphabet (:func:`check_symbol`):
Crockford's own check (value mod 37) needs five more symbols, ``*~$=U``, which a phone
keyboard hides, a link percent-encodes and nobody reads aloud with confidence.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SYMBOLS = frozenset(ALPHABET)
_TO_DIGITS = str.maketrans(ALPHABET, "0123456789abcdefghijklmnopqrstuv")  # int(text, 32)
_DASHES = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\u2014\u2212"))


def number_encode(number: int, count: int) -> str:
    """The lowest ``5 * count`` bits of ``number`` as ``count`` symbols, most significant first."""
    return "".join(ALPHABET[(number >> shift) & 31] for shift in range(5 * count - 5, -1, -5))


def bytes_encode(raw: bytes) -> str:
    """``raw`` as symbols, 5 bits each, most significant first; the last one padded with 0s."""
    bits = len(raw) * 8
    return number_encode(int.from_bytes(raw, "big") << (-bits % 5), -(-bits // 5))


def typed(text: str) -> str:
    """What a person typed, as symbols: spaces and dashes (a phone may turn ``-`` into ``–``)
    skipped, lower case read as upper case, the look-alikes O, I and L as 0, 1 and 1."""
    return "".join(text.split()).translate(_DASHES).upper().translate(LOOKALIKE)


def bytes_decode(text: str) -> bytes | None:
    """The bytes ``bytes_encode`` spelled as ``text`` (read as :func:`typed`), or None.

    None for a foreign symbol, or a length or padding that ``bytes_encode`` never writes: a
    symbol dropped or added is refused, not read as other bytes.
    """
    cleaned = typed(text)
    count = len(cleaned)
    size, padding = divmod(count * 5, 8)
    if not count or padding >= 5 or not _SYMBOLS.issuperset(cleaned):
        return None
    number = int(cleaned.translate(_TO_DIGITS), 32)  # linear for a power-of-two base
    if number & ((1 << padding) - 1):
        return None
    return (number >> padding).to_bytes(size, "big")


_POLY = 0b100101  # x^5 + x^2 + 1, primitive: x generates the 31 non-zero elements of GF(32)
_CHECKED_MAX = 31  # symbols a check covers with distinct weights (check symbol included)


def _mul(a: int, b: int) -> int:
    """Product in GF(32)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLY
    return product


def _weighted_sum(symbols: str) -> int:
    """Σ valueᵢ·xⁿ⁻ⁱ over the n symbols, in GF(32): the last symbol has weight 1."""
    total = 0
    for symbol in symbols:
        total = _mul(total, 2) ^ VALUE[symbol]  # Horner's rule: every weight a power of x
    return total


def check_symbol(symbols: str) -> str:
    """The symbol that, written after ``symbols``, makes Σ valueᵢ·xⁿ⁻ⁱ zero in GF(32).

    In a field one wrong symbol always leaves a non-zero sum, and so does swapping two
    neighbours that differ (their weights differ), so both usual typing mistakes are caught.
    ``symbols`` are of :data:`ALPHABET` (at most 30 of them).
    """
    if len(symbols) >= _CHECKED_MAX:
        raise ValueError(f"a check covers at most {_CHECKED_MAX} symbols, its own included")
    return ALPHABET[_mul(_weighted_sum(symbols), 2)]  # x·S + c = 0, and -c = c in GF(2⁵)


def check_holds(symbols: str) -> bool:
    """Whether ``symbols`` (of :data:`ALPHABET`) end in their :func:`check_symbol`."""
    return (
        _SYMBOLS.issuperset(symbols)
        and 0 < len(symbols) <= _CHECKED_MAX
        and (_weighted_sum(symbols) == 0)
    )


def grouped(text: str, size: int = 4) -> str:
    """``7KQ3M9XDA2`` → ``7KQ3-M9XD-A2``: groups a person reads and types without losing place."""
    return "-".join(text[i : i + size] for i in range(0, len(text), size))
