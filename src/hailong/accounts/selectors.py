"""What a user may see: the units covered by their roles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hailong.units.models import Unit

from .models import Role, User


def units_in_scope(*, user: User, roles: tuple[str, ...] = tuple(Role.values)) -> QuerySet[Unit]:
    """Units the user holds one of ``roles`` over: each assigned unit and its subtree."""
    if not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    assignments = list(user.roles.filter(role__in=roles).select_related("unit"))
    if any(a.unit is None for a in assignments):
        return Unit.objects.all()
    if not assignments:
        return Unit.objects.none()
    condition = Q()
    for assignment in assignments:
        if assignment.unit is not None:
            condition |= Q(path__startswith=assignment.unit.path)
    return Unit.objects.filter(condition)
