"""Receipt numbers: what a respondent keeps to show that their answer was stored.

A receipt is random (``2024-7KQ3-M9XD-A``: the campaign year, 40 random bits in Crockford's
base 32 and a check symbol), so that it reveals neither how many people answered nor who
answered before, can be made by any writer on any node without coordination, and a mistyped
receipt is caught by its check symbol instead of reading somebody else's.
"""

from __future__ import annotations

import secrets

from hailong.core.crockford import ALPHABET, VALUE

CHECK = ALPHABET + "*~$=U"  # the 37 check symbols (value mod 37)
_DECODE = VALUE | {"O": 0, "I": 1, "L": 1}


def _check_symbol(value: int) -> str:
    return CHECK[value % 37]


def receipt_new(year: int) -> str:
    value = secrets.randbits(40)
    body = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{year}-{body[:4]}-{body[4:]}-{_check_symbol(value)}"


def receipt_normalise(text: str) -> str | None:
    """The canonical form of a typed receipt, or None when it cannot be one (bad check symbol)."""
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if len(cleaned) != 13 or not cleaned[:4].isdigit():
        return None
    year, body, check = cleaned[:4], cleaned[4:12], cleaned[12]
    try:
        value = 0
        for char in body:
            value = value * 32 + _DECODE[char]
    except KeyError:
        return None
    if _check_symbol(value) != check:
        return None
    canonical = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{year}-{canonical[:4]}-{canonical[4:]}-{check}"
