"""Vietnamese number and date formats: 82,66% · 20.000 · 27/11/2026.

Written out rather than left to locale settings so that the web, the reports and the
exports print exactly the same strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def number_vn(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """Group thousands with '.', decimals after ','; rounds half up, as people do by hand."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + ".".join(groups)
    return f"{out},{frac}" if decimals else out


def percent_vn(value: float | Decimal | None, decimals: int = 2) -> str:
    """``82.655 -> '82,66%'``; the value is already on 0–100."""
    if value is None:
        return "–"
    return number_vn(value, decimals) + "%"


def date_vn(value: dt.date | dt.datetime | None) -> str:
    """``27/11/2026``."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y")


def datetime_vn(value: dt.datetime | None) -> str:
    """``27/11/2026 09:55``, in the time the value carries."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y %H:%M")
