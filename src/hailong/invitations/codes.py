"""Invitation codes: ten symbols of Crockford's base 32, the last one a check symbol.

Nine random symbols (45 bits from :mod:`secrets`) carry the code; the tenth makes the sum
of every symbol times a distinct power of a generator of GF(32) zero. In a field, one wrong
symbol always leaves a non-zero sum, and so does swapping two neighbours that differ, so
both usual typing mistakes are caught without leaving the 32-symbol alphabet a respondent
types. The code is stored without dashes and shown grouped, ``7KQ3-M9XD-4A``.
"""

from __future__ import annotations

import secrets

from hailong.core import crockford
from hailong.core.crockford import ALPHABET, VALUE, grouped

LENGTH = 10
_POLY = 0b100101  # x^5 + x^2 + 1, primitive: x generates the 31 non-zero elements


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


def _weights() -> list[int]:
    powers = [1]
    for _ in range(LENGTH - 1):
        powers.append(_mul(powers[-1], 2))
    return powers[::-1]  # the check symbol, last, has weight 1


_WEIGHTS = _weights()


def _syndrome(values: list[int]) -> int:
    total = 0
    for value, weight in zip(values, _WEIGHTS, strict=False):
        total ^= _mul(value, weight)
    return total


def code_new() -> str:
    """A fresh random code (stored form, no dashes)."""
    body = [secrets.randbelow(32) for _ in range(LENGTH - 1)]
    check = _syndrome(body)  # weight 1 and x ^ x = 0: the full sum becomes zero
    return "".join(ALPHABET[v] for v in [*body, check])


def code_normalise(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one.

    Read as a person types (:func:`~hailong.core.crockford.typed`: spaces and dashes dropped,
    any case, O, I and L as 0, 1 and 1); a wrong length, a foreign symbol or a failed check
    gives None.
    """
    cleaned = crockford.typed(typed)
    if len(cleaned) != LENGTH or any(c not in VALUE for c in cleaned):
        return None
    if _syndrome([VALUE[c] for c in cleaned]) != 0:
        return None
    return cleaned


def code_display(code: str) -> str:
    """``7KQ3M9XD4A`` → ``7KQ3-M9XD-4A``: groups a person reads and types without losing place."""
    return grouped(code)
