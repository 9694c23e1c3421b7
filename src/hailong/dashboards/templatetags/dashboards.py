"""Cells of the dashboards' tables, in the Vietnamese number format."""

from __future__ import annotations

from typing import Any

from django import template

from hailong.core.formats import number_vn

register = template.Library()


@register.filter
def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return number_vn(value, 2)
    if isinstance(value, int):
        return number_vn(value)
    return str(value)


@register.filter
def numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
