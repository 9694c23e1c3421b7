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
