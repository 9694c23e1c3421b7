"""Who may open the dashboards, and over which units.

Province-wide roles (an assignment without a unit) see every unit; a role held over a unit sees
that unit's subtree and the province's own figures; clerks enter answers and read no results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hailong.accounts.models import Role
from hailong.accounts.selectors import units_in_scope

DASHBOARD_ROLES: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.AUDITOR,
    Role.UNIT_MANAGER,
    Role.VIEWER,
)


@dataclass(frozen=True)
class Access:
    full: bool
    unit_ids: frozenset[int]

    def sees(self, unit_id: int | None) -> bool:
        return self.full or (unit_id is not None and unit_id in self.unit_ids)


def dashboard_access(*, user: Any) -> Access | None:
    """The user's reach on the dashboards, or None when they may not open them."""
    if not user.is_authenticated or not user.is_active:
        return None
    full = (
        user.is_superuser or user.roles.filter(role__in=DASHBOARD_ROLES, unit__isnull=True).exists()
    )
    if full:
        return Access(full=True, unit_ids=frozenset())
    ids = frozenset(units_in_scope(user=user, roles=DASHBOARD_ROLES).values_list("id", flat=True))
    return Access(full=False, unit_ids=ids) if ids else None
