"""Vietnamese dictionary order (core.text.vietnamese_sort_key): letters, then tones, then numbers."""

from __future__ import annotations

import unicodedata
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hailong.core.text import vietnamese_sort_key as key

# Every letter of the alphabet with every tone, in both cases, and what sits between words.
LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
TONED = "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưy"
    for tone in ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
)
ALPHABET = LETTERS + TONED + (LETTERS + TONED).upper() + "0123456789 -,.()"
vietnamese = st.text(alphabet=ALPHABET, max_size=24)


def in_order(*words: str) -> bool:
    return all(key(a) < key(b) for a, b in pairwise(words))


def test_tones_break_ties_in_dictionary_order() -> None:
    assert in_order("Ba", "Bà", "Bả", "Bã", "Bá", "Bạ")
    assert in_order("hai", "hài", "hại")


def test_letters_come_before_tones() -> None:
    assert key("àng") < key("anh") and key("ạng") < key("ánh")  # ang… before anh… whatever the tone
    assert key("ác") < key("ách")  # a shorter syllable that is a prefix comes first


def test_unit_names_in_vietnamese_order() -> None:
    assert in_order("Xã Hà Long", "Xã Hoằng Tiến")
    assert in_order("Xã Dân Lực", "Xã Đông Sơn", "Xã Eo Lê")
    assert key("Xã Đông Sơn") < key("Xã Yên Định")  # Đ right after D, far before Y
    assert in_order("Phường Hạc Thành", "Sở Nội vụ", "Xã Ba Đình")


def test_vowel_marks_make_letters_of_their_own() -> None:
    assert in_order("Az", "Ăn", "Âm", "Bá")  # every Ă… after every A…, before Â…
    assert in_order("Ozz", "Ôi", "Ơn", "Pa")
    assert in_order("Uzz", "Ưa", "Vân")
    assert in_order("Dzu", "Đa", "Ea")
    assert in_order("Eza", "Êm", "Gà")


def test_syllable_by_syllable() -> None:
    assert in_order("Hà", "Hà Long", "Hà Trung", "Hạ Long", "Hàm")
    assert in_order("Ba", "Ba Đình", "Bà", "Bà Triệu")


def test_numbers_compare_by_value() -> None:
    assert in_order("Phường 1", "Phường 2", "Phường 10", "Phường 21", "Phường An")
    assert in_order("Tổ 9A", "Tổ 10")
    assert in_order("Khu 2 Bắc", "Khu 2 Nam", "Khu 12")


def test_the_tone_mark_on_either_vowel_sorts_alike() -> None:
    assert key("Thanh Hoá")[0] == key("Thanh Hóa")[0]
    assert key("Thanh Hoa") < key("Thanh Hóa") < key("Thanh Hợp")


def test_sorting_a_menu() -> None:
    names = ["Xã Yên Định", "Xã Đông Sơn", "Phường 10", "Xã Hoằng Tiến", "Phường 2", "xã Hà Long"]
    assert sorted(names, key=key) == [
        "Phường 2",
        "Phường 10",
        "Xã Đông Sơn",
        "xã Hà Long",
        "Xã Hoằng Tiến",
        "Xã Yên Định",
    ]


@given(vietnamese)
def test_composed_and_decomposed_text_give_the_same_key(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert key(nfc) == key(nfd) == key(text)


@given(vietnamese)
def test_case_is_ignored(text: str) -> None:
    assert key(text.upper()) == key(text.lower()) == key(text)


@given(vietnamese, vietnamese, vietnamese)
def test_the_order_is_total_and_consistent(a: str, b: str, c: str) -> None:
    ka, kb, kc = key(a), key(b), key(c)
    assert (ka < kb) + (ka == kb) + (ka > kb) == 1  # exactly one holds: keys always compare
    if ka <= kb and kb <= kc:
        assert ka <= kc
    if ka == kb:  # equal keys only for the same text up to case and normal form
        assert (
            unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()
        )


@given(st.lists(vietnamese, max_size=12))
def test_sorting_twice_or_reversed_gives_the_same_order(words: list[str]) -> None:
    once = sorted(words, key=key)
    assert [key(w) for w in sorted(reversed(words), key=key)] == [key(w) for w in once]
    assert all(key(a) <= key(b) for a, b in pairwise(once))


@given(st.text(max_size=30))
def test_any_text_has_a_key(text: str) -> None:
    key(text)  # no error, whatever the script, marks or digits
    assert key(unicodedata.normalize("NFC", text)) == key(unicodedata.normalize("NFD", text))


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("Ăn", "Ân"), ("Ơi", "Phở"), ("Đà", "Đạ"), ("y", "ỳ"), ("Ỵ", "z")],
)
def test_pairs(lower: str, higher: str) -> None:
    assert key(lower) < key(higher)
