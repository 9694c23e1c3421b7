"""Working days: weekends and the province's days off do not count; worked weekend days do."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hailong.cases.deadlines import (
    Calendar,
    add_working_days,
    fixed_holidays,
    is_working_day,
    working_days_between,
)

# An example Tết week, Monday 16 to Friday 20 February 2026 (the official list is entered by
# the province each year; these tests only need some days off).
TET = frozenset(dt.date(2026, 2, d) for d in range(16, 21))


def test_ten_working_days_from_a_friday_end_on_the_second_friday_after() -> None:
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 11)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)  # Monday
    assert working_days_between(friday, dt.date(2026, 11, 30)) == 1
    assert working_days_between(friday, friday) == 0


def test_a_deadline_across_tet_skips_the_holidays() -> None:
    friday = dt.date(2026, 2, 13)
    assert add_working_days(friday, 10) == dt.date(2026, 2, 27)
    assert add_working_days(friday, 10, days_off=TET) == dt.date(2026, 3, 6)
    assert add_working_days(friday, 1, days_off=TET) == dt.date(2026, 2, 23)
    assert working_days_between(friday, dt.date(2026, 2, 23), days_off=TET) == 1
    assert not any(is_working_day(d, days_off=TET) for d in TET)


def test_a_worked_saturday_counts() -> None:
    friday, saturday = dt.date(2026, 2, 6), dt.date(2026, 2, 7)
    calendar = Calendar(days_off=TET, worked=frozenset({saturday}))
    assert calendar.add(friday, 1) == saturday
    assert calendar.between(friday, dt.date(2026, 2, 9)) == 2  # Saturday and Monday
    assert add_working_days(friday, 1) == dt.date(2026, 2, 9)  # without it, Monday


def test_only_the_fixed_date_holidays_are_known_in_code() -> None:
    assert [d for d, _, _ in fixed_holidays(2027)] == [
        dt.date(2027, 1, 1),
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 1),
        dt.date(2027, 9, 2),
    ]


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)), st.integers(1, 60))
def test_adding_then_counting_gives_back_the_days(start: dt.date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days
    assert (end - start).days <= days + 2 * (days // 5 + 1)


OFFSETS = st.frozensets(st.integers(0, 150), max_size=40)


@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)),
    st.integers(0, 60),
    OFFSETS,
    OFFSETS,
)
def test_with_holidays_adding_and_counting_agree(
    start: dt.date, days: int, off: frozenset[int], on: frozenset[int]
) -> None:
    days_off = frozenset(start + dt.timedelta(days=o) for o in off)
    worked = frozenset(d for d in (start + dt.timedelta(days=o) for o in on) if d.weekday() >= 5)
    calendar = Calendar(days_off=days_off, worked=worked)
    end = calendar.add(start, days)
    assert calendar.between(start, end) == days
    if days:
        assert is_working_day(end, days_off=days_off, worked=worked)
        assert calendar.between(start, end - dt.timedelta(days=1)) == days - 1
    assert calendar.between(start, end) >= working_days_between(start, end) - len(days_off)
