"""Tracking codes: what a sender keeps to follow a complaint or suggestion without an account.

A code is random (``PA-7KQ3-M9XD-A``: 40 random bits in Crockford's base 32 and the same check
symbol as a receipt, ``collection/receipts.py``), so it reveals neither how many cases there are
nor whose; the ``PA`` prefix (phản ánh) keeps it apart from a receipt, and a mistyped code is
caught by its check symbol instead of opening somebody else's case.
"""

from __future__ import annotations

import secrets

from hailong.collection.receipts import _DECODE, ALPHABET, _check_symbol

PREFIX = "PA"


def case_code_new() -> str:
    value = secrets.randbits(40)
    body = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIX}-{body[:4]}-{body[4:]}-{_check_symbol(value)}"


def case_code_normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one (bad check symbol)."""
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if len(cleaned) != 11 or not cleaned.startswith(PREFIX):
        return None
    body, check = cleaned[2:10], cleaned[10]
    try:
        value = 0
        for char in body:
            value = value * 32 + _DECODE[char]
    except KeyError:
        return None
    if _check_symbol(value) != check:
        return None
    canonical = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIX}-{canonical[:4]}-{canonical[4:]}-{check}"
