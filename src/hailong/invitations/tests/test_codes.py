"""Code format, check symbol and the normalisation of typed codes (no database)."""

from __future__ import annotations

import pytest

from hailong.invitations.codes import ALPHABET, code_display, code_new, code_normalise


def test_new_codes_are_ten_crockford_symbols_that_pass_their_check() -> None:
    codes = {code_new() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 10 and set(code) <= set(ALPHABET)
        assert code_normalise(code) == code


def test_the_check_symbol_is_not_always_the_same() -> None:
    assert len({code_new()[-1] for _ in range(500)}) > 20


@pytest.mark.parametrize("seed", range(20))
def test_every_single_wrong_symbol_is_caught(seed: int) -> None:
    code = code_new()
    for position in range(10):
        for symbol in ALPHABET:
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1 :]
                assert code_normalise(typo) is None, (code, typo)


@pytest.mark.parametrize("seed", range(20))
def test_every_swap_of_two_neighbours_is_caught(seed: int) -> None:
    code = code_new()
    for i in range(9):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert code_normalise(swapped) is None, (code, swapped)


def test_typed_codes_are_normalised() -> None:
    code = code_new()
    shown = code_display(code)
    assert shown == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert code_normalise(shown) == code
    assert code_normalise(f"  {shown.lower()} ") == code
    assert code_normalise(" ".join([code[:4], code[4:8], code[8:]])) == code
    # look-alikes a person may type: O for 0, I and L for 1
    looks = code.replace("0", "O").replace("1", "l")
    assert code_normalise(looks) == code


def test_what_cannot_be_a_code_is_refused() -> None:
    code = code_new()
    assert code_normalise(code[:-1]) is None
    assert code_normalise(code + "0") is None
    assert code_normalise("") is None
    assert code_normalise(code[:3] + "U" + code[4:]) is None  # U is not in the alphabet
    assert code_normalise(code[:3] + "*" + code[4:]) is None
