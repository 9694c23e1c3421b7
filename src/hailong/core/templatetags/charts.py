"""``{% chart_script %}``: the head of a page with charts (see ``hailong.core.charts``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from hailong.core.charts import chart_script as _chart_script

register = template.Library()


@register.simple_tag
def chart_script() -> SafeString:
    return mark_safe(_chart_script())  # noqa: S308 - built from static URLs and escaped JSON
