import datetime as dt
from decimal import Decimal

from hailong.core.formats import date_vn, number_vn, percent_vn


def test_percent_uses_a_decimal_comma() -> None:
    assert percent_vn(82.66) == "82,66%"
    assert percent_vn(83.945) == "83,95%"  # half up, as published tables round
    assert percent_vn(100) == "100,00%"
    assert percent_vn(None) == "–"


def test_numbers_group_thousands_with_dots() -> None:
    assert number_vn(20000) == "20.000"
    assert number_vn(1234567.891, 2) == "1.234.567,89"
    assert number_vn(-1500) == "-1.500"
    assert number_vn(Decimal("0.5")) == "1"


def test_dates_are_day_month_year() -> None:
    assert date_vn(dt.date(2026, 11, 27)) == "27/11/2026"
