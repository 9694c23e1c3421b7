"""What a user may see and do: the units covered by their roles, sign-in rules."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from hailong.units.models import Unit

from .models import Role, TotpDevice, User


def units_in_scope(*, user: User, roles: tuple[str, ...] = tuple(Role.values)) -> QuerySet[Unit]:
    """Units the user holds one of ``roles`` over: each assigned unit and its subtree."""
    if not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    # a unit manager over no unit (possible before it was refused) holds nothing, not everything
    held = user.roles.filter(role__in=roles).exclude(role=Role.UNIT_MANAGER, unit__isnull=True)
    assignments = list(held.select_related("unit"))
    if any(a.unit is None for a in assignments):
        return Unit.objects.all()
    if not assignments:
        return Unit.objects.none()
    condition = Q()
    for assignment in assignments:
        if assignment.unit is not None:
            condition |= Q(path__startswith=assignment.unit.path)
    return Unit.objects.filter(condition)


MANAGER_ROLES: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR)


def user_roles(*, user: User) -> set[str]:
    """The roles a user holds anywhere, locked or not; a superuser counts as an administrator."""
    roles = set(user.roles.values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def user_is_administrator(*, user: User) -> bool:
    return Role.ADMINISTRATOR in user_roles(user=user)


def admin_allowed(*, user: User) -> bool:
    """Whether ``user`` may open the Django admin (``/quan-tri/``).

    The admin checks Django's model permissions, never unit scopes, so it would show every
    unit's records to anyone let in: only superusers and administrators of the whole province,
    with ``is_staff``, are. A role held over one unit never opens it, whatever its permissions.
    """
    if not (user.is_active and user.is_staff):
        return False
    return (
        user.is_superuser or user.roles.filter(role=Role.ADMINISTRATOR, unit__isnull=True).exists()
    )


def user_may_sign_in(*, user: User) -> bool:
    """Staff sign-in is for active users who hold a role (or are superusers)."""
    return user.is_active and bool(user_roles(user=user))


def totp_required(*, user: User) -> bool:
    """Whether ``HAILONG_TOTP_REQUIRED_ROLES`` names one of the user's roles."""
    required = set(settings.HAILONG_TOTP_REQUIRED_ROLES)
    return bool(required & user_roles(user=user))


def totp_confirmed(*, user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def users_managed(*, user: User, query: str = "") -> QuerySet[User]:
    """Users an administrator or coordinator sees on the user screen, with their roles.

    Administrators see everyone; a coordinator sees users holding a role within their units
    and users without any role yet (just created, or whose last role was removed).
    """
    users = User.objects.order_by("username").prefetch_related("roles__unit")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if user_is_administrator(user=user):
        return users
    seen = Q(roles__unit__in=units_in_scope(user=user, roles=MANAGER_ROLES)) | Q(roles__isnull=True)
    if user.roles.filter(role__in=MANAGER_ROLES, unit__isnull=True).exists():
        seen |= Q(roles__unit__isnull=True)
    return users.filter(seen).distinct()


def user_manageable(*, actor: User, target: User) -> bool:
    """Whether ``actor`` may change ``target``: coordinators never change administrators."""
    if user_is_administrator(user=actor):
        return True
    if not set(MANAGER_ROLES) & user_roles(user=actor) or user_is_administrator(user=target):
        return False
    return users_managed(user=actor).filter(pk=target.pk).exists()
