"""Crockford's base 32 for bytes, checked against the standard library's RFC 4648 base 32;
the check symbol, against a sum computed from its definition."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hailong.core.crockford import (
    ALPHABET,
    bytes_decode,
    bytes_encode,
    check_holds,
    check_symbol,
    grouped,
)

RFC_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


@given(st.binary(max_size=40))
def test_the_bits_are_the_standard_base32_bits_in_crockfords_symbols(raw: bytes) -> None:
    expected = base64.b32encode(raw).decode().rstrip("=").translate(RFC_TO_CROCKFORD)
    assert bytes_encode(raw) == expected


@given(st.binary(min_size=1, max_size=40), st.integers(min_value=1, max_value=6))
def test_any_case_look_alikes_and_groups_read_back_the_same_bytes(raw: bytes, size: int) -> None:
    text = bytes_encode(raw)
    for spelling in (text, text.lower(), grouped(text, size), text.replace("0", "O")):
        assert bytes_decode(spelling.replace("1", "l")) == raw


@given(st.binary(min_size=1, max_size=40))
def test_a_spelling_never_written_is_refused(raw: bytes) -> None:
    text = bytes_encode(raw)
    padding = len(text) * 5 - len(raw) * 8
    if padding:  # a non-zero padding bit is a symbol typed wrong, not other bytes
        last = ALPHABET[ALPHABET.index(text[-1]) | 1]
        assert bytes_decode(text[:-1] + last) is None
    assert bytes_decode(text + "U") is None and bytes_decode(text + "_") is None
    assert bytes_decode("") is None and bytes_decode("-") is None
    for extra in range(1, 8):  # a length no byte count gives is refused, others are other bytes
        decoded = bytes_decode(text + "0" * extra)
        assert decoded is None or len(decoded) != len(raw)


def _times(a: int, b: int) -> int:
    """a·b in GF(2)[x] reduced modulo x⁵ + x² + 1: long multiplication, then long division."""
    product = 0
    for bit in range(5):
        if b >> bit & 1:
            product ^= a << bit
    for degree in range(8, 4, -1):
        if product >> degree & 1:
            product ^= 0b100101 << (degree - 5)
    return product


def _power(exponent: int) -> int:
    value = 1
    for _ in range(exponent):
        value = _times(value, 2)
    return value


symbols = st.text(alphabet=ALPHABET, min_size=1, max_size=30)


@given(symbols)
def test_the_check_symbol_makes_the_weighted_sum_zero(body: str) -> None:
    code = body + check_symbol(body)
    total = 0
    for i, symbol in enumerate(code):  # Σ valueᵢ·xⁿ⁻¹⁻ⁱ: the check symbol has weight 1
        total ^= _times(ALPHABET.index(symbol), _power(len(code) - 1 - i))
    assert total == 0 and check_holds(code)


@given(symbols, st.data())
def test_one_wrong_symbol_and_two_neighbours_swapped_are_always_caught(
    body: str, data: st.DataObject
) -> None:
    code = body + check_symbol(body)
    at = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    wrong = data.draw(st.sampled_from(ALPHABET).filter(lambda s: s != code[at]))
    assert not check_holds(code[:at] + wrong + code[at + 1 :])
    if at + 1 < len(code) and code[at] != code[at + 1]:
        assert not check_holds(code[:at] + code[at + 1] + code[at] + code[at + 2 :])


def test_a_check_needs_symbols_of_the_alphabet_and_at_most_thirty_of_them() -> None:
    assert not check_holds("") and not check_holds("7KQ3*") and not check_holds("7kq3")
    assert len({check_symbol(ALPHABET[i] + "7KQ3") for i in range(32)}) == 32
    check_symbol("Z" * 30)
    with pytest.raises(ValueError, match="at most 31"):
        check_symbol("Z" * 31)
    assert not check_holds("0" * 32)  # its weights would repeat: x has order 31
