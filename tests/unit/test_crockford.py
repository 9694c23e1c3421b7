"""Crockford's base 32 for bytes, checked against the standard library's RFC 4648 base 32."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from hailong.core.crockford import ALPHABET, bytes_decode, bytes_encode, grouped

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
