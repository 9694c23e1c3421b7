"""Tracking codes: what a sender keeps to follow a complaint or suggestion without an account.

A code is random (``PA-7KQ3-M9XD-4A``: 45 random bits in Crockford's base 32 and a check
symbol, made and read as a receipt is, ``collection/receipts.py``, with codes of the shorter
form made before November 2026 still read), so it reveals neither how many cases there are
nor whose; the ``PA`` prefix (phản ánh) keeps it apart from a receipt, and a mistyped code is
caught by its check symbol instead of opening somebody else's case.
"""

from __future__ import annotations

from hailong.collection.receipts import checked_new, checked_read
from hailong.core.crockford import typed

PREFIX = "PA"


def case_code_new() -> str:
    return checked_new(PREFIX)


def case_code_normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one (bad check symbol)."""
    cleaned = typed(text)
    if not cleaned.startswith(PREFIX):
        return None
    return checked_read(PREFIX, cleaned[2:])
