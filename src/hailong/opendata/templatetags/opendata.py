"""``{% visit_counter %}`` for the footer, and labels of the open data page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from hailong.core import formats

from ..selectors import visit_figures

register = template.Library()


@register.inclusion_tag("opendata/visit_counter.html")
def visit_counter() -> dict[str, Any]:
    return {"visits": visit_figures(today=timezone.localdate())}


@register.simple_tag
def dataset_label(dataset: str) -> str:
    return {
        "chi-so": _("Index table"),
        "tra-loi": _("Anonymised answers"),
        "tu-dien": _("Data dictionary"),
        "tat-ca": _("Everything (ZIP)"),
    }.get(dataset, dataset)


@register.filter
def size_vn(size: int | None) -> str:
    """``850 KB``, ``1,2 MB``: a file size in Vietnamese number format."""
    if size is None:
        return "–"
    if size < 1_000_000:
        return f"{formats.number_vn(max(1, round(size / 1000)), 0)} KB"
    return f"{formats.number_vn(size / 1_000_000, 1)} MB"
