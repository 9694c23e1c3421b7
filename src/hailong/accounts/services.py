"""Writing accounts."""

from __future__ import annotations

import secrets

from django.db import transaction

from .models import Role, RoleAssignment, User


@transaction.atomic
def admin_create(
    *, username: str, email: str = "", password: str | None = None
) -> tuple[User, str]:
    """Create a superuser with the administrator role; generate a password if none is given."""
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email=email, password=password)
    RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR, unit=None)
    return user, password
