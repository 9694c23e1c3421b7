"""Working-day arithmetic for case deadlines (Saturdays and Sundays do not count).

Public holidays are not modelled: a province that needs them can lengthen
``HAILONG_CASE_DEADLINE_DAYS``; docs/cases.md says so.
"""

from __future__ import annotations

import datetime as dt


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day on which ``days`` working days after ``start`` have passed (start not counted)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
