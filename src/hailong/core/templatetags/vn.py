"""Template filters for Vietnamese formats: ``{{ x|percent_vn }}``, ``{{ n|number_vn }}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from hailong.core import formats

register = template.Library()


@register.filter
def number_vn(value: Any, decimals: int = 0) -> str:
    return formats.number_vn(value, int(decimals))


@register.filter
def percent_vn(value: Any, decimals: int = 2) -> str:
    return formats.percent_vn(value, int(decimals))


@register.filter
def date_vn(value: Any) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_vn(value)


@register.filter
def datetime_vn(value: Any) -> str:
    """``27/11/2026 09:55`` in local time."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.datetime_vn(value)


@register.filter
def signed_vn(value: Any, decimals: int = 2) -> str:
    """``+1,23`` / ``−0,50`` / ``0,00``: a change, with its sign (a true minus sign)."""
    if value is None:
        return "–"
    text = formats.number_vn(abs(value), int(decimals))
    if round(value, int(decimals)) > 0:
        return "+" + text
    if round(value, int(decimals)) < 0:
        return "−" + text
    return text


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def get_factor(mapping: Any, code: str) -> Any:
    """The factor row ``factor:<code>`` of a figures mapping, or None."""
    return mapping.get(f"factor:{code}") if hasattr(mapping, "get") else None
