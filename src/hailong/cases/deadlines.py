"""Working-day arithmetic for case deadlines: weekends and public holidays do not count.

Vietnam's public holidays (Labour Code 2019, art. 112) include lunar-calendar days (Tết,
the Hùng Kings' day) and days moved each year by the Prime Minister's decision, so they are
data the province keeps (``cases.Holiday``), not code. These functions stay plain Python:
the caller passes the days off and the weekend days officially worked ("ngày làm bù") as
sets, loaded once per call site by ``cases.holidays.calendar_load``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

# The holidays whose Gregorian date never moves (art. 112): 1/1, 30/4, 1/5 and 2/9. The others
# (Tết, the Hùng Kings' day, the day next to 2/9, swapped days) are entered each year.
FIXED_HOLIDAYS: tuple[tuple[int, int, str, str], ...] = (
    (1, 1, "Tết Dương lịch", "New Year's Day"),
    (4, 30, "Ngày Chiến thắng", "Reunification Day"),
    (5, 1, "Ngày Quốc tế lao động", "International Labour Day"),
    (9, 2, "Quốc khánh", "National Day"),
)


@dataclass(frozen=True)
class Calendar:
    """Days off beyond Saturdays and Sundays, and Saturdays or Sundays that are worked."""

    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    worked: frozenset[dt.date] = field(default_factory=frozenset)

    def add(self, start: dt.date, days: int) -> dt.date:
        return add_working_days(start, days, days_off=self.days_off, worked=self.worked)

    def between(self, start: dt.date, end: dt.date) -> int:
        return working_days_between(start, end, days_off=self.days_off, worked=self.worked)


def fixed_holidays(year: int) -> list[tuple[dt.date, str, str]]:
    """The fixed-date public holidays of ``year`` as (day, Vietnamese name, English name)."""
    return [(dt.date(year, m, d), vi, en) for m, d, vi, en in FIXED_HOLIDAYS]


def is_working_day(
    day: dt.date, *, days_off: Collection[dt.date] = (), worked: Collection[dt.date] = ()
) -> bool:
    if day in worked:
        return True
    return day.weekday() < 5 and day not in days_off


def add_working_days(
    start: dt.date,
    days: int,
    *,
    days_off: Collection[dt.date] = (),
    worked: Collection[dt.date] = (),
) -> dt.date:
    """The day on which ``days`` working days after ``start`` have passed (start not counted)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, days_off=days_off, worked=worked):
            left -= 1
    return day


def working_days_between(
    start: dt.date,
    end: dt.date,
    *,
    days_off: Collection[dt.date] = (),
    worked: Collection[dt.date] = (),
) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, days_off=days_off, worked=worked):
            count += 1
    return count
