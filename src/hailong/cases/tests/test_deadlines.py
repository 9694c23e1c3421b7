"""Working days: weekends do not count."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hailong.cases.deadlines import add_working_days, is_working_day, working_days_between


def test_ten_working_days_from_a_friday_end_on_the_second_friday_after() -> None:
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 11)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)  # Monday
    assert working_days_between(friday, dt.date(2026, 11, 30)) == 1
    assert working_days_between(friday, friday) == 0


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)), st.integers(1, 60))
def test_adding_then_counting_gives_back_the_days(start: dt.date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days
    assert (end - start).days <= days + 2 * (days // 5 + 1)
