"""The audit log page's words: an action's meaning, an entry's details as ``key: value``."""

from __future__ import annotations

import json
from typing import Any

from django import template

from ..labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _action_label(code)


@register.filter
def details(data: Any) -> str:
    """``{'from': 'received', 'to': 'assigned'}`` → ``from: received; to: assigned``."""
    if not isinstance(data, dict):
        return json.dumps(data, ensure_ascii=False)
    return "; ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in data.items()
    )
