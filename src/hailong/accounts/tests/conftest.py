from __future__ import annotations

import pytest
from django.core.cache import cache

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.units.models import Unit, UnitKind

PASSWORD = "mat-khau-rat-dai-2026"


@pytest.fixture
def clerk(db: None) -> User:
    """A clerk without is_staff: the staff sign-in is enough for the back-office screens."""
    cache.clear()
    user = User.objects.create_user("lan", password=PASSWORD, first_name="Nguyễn Thị Lan")
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    RoleAssignment.objects.create(user=user, role=Role.CLERK, unit=ward)
    return user
