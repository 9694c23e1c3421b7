"""The k-anonymity rule on its own: who could be singled out, and what is dropped."""

from __future__ import annotations

from collections import Counter

from hailong.opendata.anonymise import profile_release


def test_a_unique_respondent_makes_their_rare_attribute_withheld() -> None:
    cells: Counter = Counter({("A", (1, 2)): 9, ("A", (2, 2)): 1, ("B", (1, 1)): 3})
    release = profile_release(cells, ["sex", "age"], k=5)
    assert release.released == ("age",)
    assert release.dropped == ("sex",)
    assert release.small_units == frozenset({"B"})  # 3 answers: no attribute at all


def test_everything_is_released_when_every_cell_is_large_enough() -> None:
    cells: Counter = Counter({("A", (1, 2)): 5, ("A", (2, 2)): 7})
    assert profile_release(cells, ["sex", "age"], k=5).released == ("sex", "age")


def test_nothing_is_released_when_no_attribute_is_safe() -> None:
    cells: Counter = Counter({("A", (1, 1)): 5, ("A", (2, 2)): 4, ("A", (3, 3)): 6})
    release = profile_release(cells, ["sex", "age"], k=5)
    assert release.released == () and set(release.dropped) == {"sex", "age"}
