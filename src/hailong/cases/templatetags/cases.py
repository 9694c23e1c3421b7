"""Template helpers of the case pages, and the unit result page's case figures."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from hailong.units.models import Unit

from ..models import Case
from ..selectors import unit_case_stats

register = template.Library()

ACTIONS = {
    "submit": _("sent"),
    "assign": _("assigned"),
    "from_answer": _("made from a survey answer"),
    "start": _("handling started"),
    "answer": _("answered"),
    "close": _("closed"),
    "reopen": _("reopened by the sender"),
    "consent": _("publishing agreement"),
    "remind": _("reminder to the unit"),
    "escalate": _("escalated to the coordinators"),
}


@register.filter
def action_label(value: str) -> str:
    return str(ACTIONS.get(value, value))


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Case.Status(value).label)
    except ValueError:
        return ""


@register.inclusion_tag("cases/_unit_stats.html")
def case_stats(unit: Unit) -> dict[str, Any]:
    """Received, answered on time and days to answer: factor 5 seen from the inside."""
    return {"unit": unit, "stats": unit_case_stats(units=unit.subtree())}
