"""Tracking codes: random, self-checking, distinct from receipts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hailong.cases.codes import case_code_new, case_code_normalise
from hailong.collection.receipts import ALPHABET, receipt_new, receipt_normalise


def test_a_new_code_reads_back_also_typed_loosely() -> None:
    code = case_code_new()
    assert code.startswith("PA-") and len(code) == 15
    assert case_code_normalise(code) == code
    assert case_code_normalise(" " + code.lower().replace("-", " ") + " ") == code


def test_a_code_is_not_a_receipt_and_a_receipt_is_not_a_code() -> None:
    assert case_code_normalise(receipt_new(2026)) is None
    assert receipt_normalise(case_code_new()) is None


def test_nonsense_is_no_code() -> None:
    for text in [
        "",
        "PA",
        "PA-0000-0000",
        "XX-7KQ3-M9XD-4A",
        "PA-7KQ3-M9XD-4AA",
        "PA-ÂKQ3-M9XD-4A",
    ]:
        assert case_code_normalise(text) is None


@given(st.integers(min_value=0, max_value=14), st.sampled_from(ALPHABET))
def test_changing_one_symbol_of_the_body_is_caught(position: int, symbol: str) -> None:
    code = case_code_new()
    changed = code[:position] + symbol + code[position + 1 :]
    if code[position] == "-" or changed == code:
        return
    assert case_code_normalise(changed) is None
