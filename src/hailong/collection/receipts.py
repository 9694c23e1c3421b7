"""Receipt numbers: what a respondent keeps to show that their answer was stored.

A receipt is random (``2026-7KQ3-M9XD-4A``: the campaign year, 45 random bits in Crockford's
base 32 and a check symbol), so that it reveals neither how many people answered nor who
answered before, can be made by any writer on any node without coordination, and a mistyped
receipt is caught by its check symbol instead of reading somebody else's. The check symbol
(:func:`~hailong.core.crockford.check_symbol`) is a letter or a digit and covers the year too:
one wrong symbol, the wrong year or two neighbours swapped is always refused.

Codes made before November 2026 were one symbol shorter (``2024-7KQ3-M9XD-A``: 40 bits and
Crockford's mod-37 check, one in seven ending in ``*``, ``~``, ``$``, ``=`` or ``U``, which a
phone keyboard hides and a link percent-encodes). People still hold them: their length tells
them apart, and they are read with their own check.
"""

from __future__ import annotations

import secrets

from hailong.core.crockford import (
    ALPHABET,
    bytes_decode,
    check_holds,
    check_symbol,
    grouped,
    typed,
)

MOD37 = ALPHABET + "*~$=U"  # the check symbols of the shorter codes made before November 2026
LAST_SHORT_YEAR = 2026  # no campaign after this year ever made a receipt of the shorter form


def checked_new(prefix: str) -> str:
    """``PREFIX-7KQ3-M9XD-4A``: 45 random bits and a check symbol (receipts, tracking codes)."""
    body = "".join(ALPHABET[secrets.randbelow(32)] for _ in range(9))
    return f"{prefix}-{grouped(body + check_symbol(prefix + body))}"


def checked_read(prefix: str, symbols: str) -> str | None:
    """The canonical code of ``symbols`` (what follows ``prefix``, as :func:`typed` gives
    them), or None when they cannot be one (a foreign symbol, a wrong length, a failed check)."""
    if len(symbols) == 10:
        return f"{prefix}-{grouped(symbols)}" if check_holds(prefix + symbols) else None
    raw = bytes_decode(symbols[:8]) if len(symbols) == 9 else None  # made before November 2026
    if raw is None or MOD37[int.from_bytes(raw, "big") % 37] != symbols[8]:
        return None
    return f"{prefix}-{grouped(symbols[:8])}-{symbols[8]}"


def receipt_new(year: int) -> str:
    return checked_new(str(year))


def receipt_normalise(text: str) -> str | None:
    """The canonical form of a typed receipt, or None when it cannot be one (bad check symbol)."""
    cleaned = typed(text)
    year = cleaned[:4]
    if not (year.isascii() and year.isdigit()):
        return None
    if len(cleaned) == 13 and int(year) > LAST_SHORT_YEAR:
        return None  # a newer receipt with a symbol left out, not one of the shorter form
    return checked_read(year, cleaned[4:])
