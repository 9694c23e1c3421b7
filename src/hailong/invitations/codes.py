"""Invitation codes: ten symbols of Crockford's base 32, the last one a check symbol.

Nine random symbols (45 bits from :mod:`secrets`) carry the code; the tenth is their check
symbol (:func:`~hailong.core.crockford.check_symbol`), which catches one wrong symbol and two
neighbours swapped without leaving the 32-symbol alphabet a respondent types. The code is
stored without dashes and shown grouped, ``7KQ3-M9XD-4A``.
"""

from __future__ import annotations

import secrets

from hailong.core import crockford
from hailong.core.crockford import ALPHABET, check_holds, check_symbol, grouped

LENGTH = 10


def code_new() -> str:
    """A fresh random code (stored form, no dashes)."""
    body = "".join(ALPHABET[secrets.randbelow(32)] for _ in range(LENGTH - 1))
    return body + check_symbol(body)


def code_normalise(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one.

    Read as a person types (:func:`~hailong.core.crockford.typed`: spaces and dashes dropped,
    any case, O, I and L as 0, 1 and 1); a wrong length, a foreign symbol or a failed check
    gives None.
    """
    cleaned = crockford.typed(typed)
    return cleaned if len(cleaned) == LENGTH and check_holds(cleaned) else None


def code_display(code: str) -> str:
    """``7KQ3M9XD4A`` → ``7KQ3-M9XD-4A``: groups a person reads and types without losing place."""
    return grouped(code)
