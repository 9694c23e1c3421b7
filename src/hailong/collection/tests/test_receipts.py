"""Receipts and tracking codes: letters and digits, self-checking, and the older form still read."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hailong.cases.codes import case_code_new, case_code_normalise
from hailong.collection.receipts import receipt_new, receipt_normalise
from hailong.core.crockford import ALPHABET

# made by the release before November 2026 (40 bits and a mod-37 check symbol), kept literally
BEFORE = [
    "2024-28T5-CY4T-Y", "2024-ZZZZ-ZZZZ-F", "2024-0000-0007-7", "2025-0EJZ-000C-*",
    "2025-0EJZ-000D-~", "2025-0EJZ-000E-$", "2025-0EJZ-000F-=", "2025-0EJZ-000G-U",
]  # fmt: skip


def test_a_new_receipt_is_letters_and_digits_and_reads_back_typed_loosely() -> None:
    receipts = {receipt_new(2026) for _ in range(3000)}
    assert len(receipts) == 3000
    assert len({r[-1] for r in receipts}) == 32  # every check symbol occurs, none outside
    for receipt in list(receipts)[:300]:
        assert re.fullmatch(r"2026-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", receipt)
        assert receipt_normalise(receipt) == receipt
        loose = " " + receipt.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        assert receipt_normalise(loose + "\u2013") == receipt


def test_a_newer_receipt_with_a_symbol_left_out_is_never_read_as_a_shorter_one() -> None:
    for _ in range(300):
        receipt = receipt_new(2027).replace("-", "")
        for at in range(4, len(receipt)):
            assert receipt_normalise(receipt[:at] + receipt[at + 1 :]) is None


@pytest.mark.parametrize("old", BEFORE)
def test_a_receipt_or_code_made_before_november_2026_is_still_read(old: str) -> None:
    assert receipt_normalise(old) == old
    assert receipt_normalise(old.lower().replace("-", "")) == old
    code = "PA" + old[4:]
    assert case_code_normalise(code) == code
    assert receipt_normalise(old[:-1] + ("0" if old[-1] != "0" else "1")) is None


@given(st.integers(min_value=5, max_value=16), st.sampled_from(ALPHABET))
def test_one_wrong_symbol_in_a_receipt_is_caught_year_included(at: int, symbol: str) -> None:
    receipt = receipt_new(2026)
    for position in (at, at % 4):  # in the body, and in the year
        changed = receipt[:position] + symbol + receipt[position + 1 :]
        if receipt[position] != "-" and changed != receipt:
            assert receipt_normalise(changed) is None, (receipt, changed)


def test_a_receipt_of_another_year_and_neighbours_swapped_are_caught() -> None:
    for _ in range(200):
        receipt = receipt_new(2026)
        assert receipt_normalise("2025" + receipt[4:]) is None
        symbols = receipt.replace("-", "")
        for i in range(len(symbols) - 1):
            if symbols[i] != symbols[i + 1]:
                swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
                assert receipt_normalise(swapped) is None, (receipt, swapped)


def test_a_tracking_code_is_not_a_receipt_and_a_receipt_is_not_a_code() -> None:
    for _ in range(200):
        code, receipt = case_code_new(), receipt_new(2026)
        assert re.fullmatch(r"PA-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code)
        assert case_code_normalise(code) == code and receipt_normalise(code) is None
        assert case_code_normalise(receipt) is None


@pytest.mark.parametrize(
    "text",
    ["", "2026", "2026-7KQ3-M9XD", "2026-7KQ3-M9XD-4A-0", "２０２６-7KQ3-M9XD-4A",
     "2026-ÂKQ3-M9XD-4A", "2026-7KQ3-M9XD-4*", "2026-7KQ3-M9XU-A"],
)  # fmt: skip
def test_nonsense_is_no_receipt(text: str) -> None:
    assert receipt_normalise(text) is None
