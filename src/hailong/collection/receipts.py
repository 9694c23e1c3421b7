"""Receipt numbers: what a respondent keeps to show that their answer was stored.

A receipt is random (``2024-7KQ3-M9XD-A``: the campaign year, 40 random bits in Crockford's
base 32 and a check symbol), so that it reveals neither how many people answered nor who
answered before, can be made by any writer on any node without coordination, and a mistyped
receipt is caught by its check symbol instead of reading somebody else's.
"""

from __future__ import annotations

import secrets

from hailong.core.crockford import ALPHABET, bytes_decode, number_encode, typed

CHECK = ALPHABET + "*~$=U"  # the 37 check symbols (value mod 37)


def _check_symbol(value: int) -> str:
    return CHECK[value % 37]


def checked_new(prefix: str) -> str:
    """``PREFIX-7KQ3-M9XD-A``: 40 random bits and their check symbol (receipts, tracking codes)."""
    return _spelled(prefix, secrets.randbits(40))


def checked_read(prefix: str, symbols: str) -> str | None:
    """The canonical code of ``symbols`` (the 8 of the body and the check, as :func:`typed`
    gives them) under ``prefix``, or None when they cannot be one (a bad check symbol)."""
    raw = bytes_decode(symbols[:8]) if len(symbols) == 9 else None
    if raw is None:
        return None
    value = int.from_bytes(raw, "big")
    return _spelled(prefix, value) if _check_symbol(value) == symbols[8] else None


def _spelled(prefix: str, value: int) -> str:
    body = number_encode(value, 8)
    return f"{prefix}-{body[:4]}-{body[4:]}-{_check_symbol(value)}"


def receipt_new(year: int) -> str:
    return checked_new(str(year))


def receipt_normalise(text: str) -> str | None:
    """The canonical form of a typed receipt, or None when it cannot be one (bad check symbol)."""
    cleaned = typed(text)
    if len(cleaned) != 13 or not cleaned[:4].isdigit():
        return None
    return checked_read(cleaned[:4], cleaned[4:])
