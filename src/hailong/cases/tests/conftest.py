"""Two wards under a province, a unit manager for each ward, a coordinator and an auditor."""

from __future__ import annotations

from typing import Any

import pytest

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.units.models import Unit, UnitKind

PASSWORD = "mat-khau-rat-dai-2026"


@pytest.fixture
def wards() -> tuple[Unit, Unit]:
    """Also clears the holidays the migration seeds, so that deadlines do not depend on the
    day the tests run; a test that needs holidays adds its own."""
    from hailong.cases.models import Holiday

    Holiday.objects.all().delete()
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    one = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    two = Unit.objects.create(
        code="14800", name="Phường Quảng Phú", kind=UnitKind.WARD, parent=province
    )
    return one, two


def person(username: str, role: str, unit: Unit | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def staff(wards: tuple[Unit, Unit]) -> dict[str, User]:
    one, two = wards
    return {
        "manager": person("quanly1", Role.UNIT_MANAGER, one),
        "manager2": person("quanly2", Role.UNIT_MANAGER, two),
        "coordinator": person("dieuphoi", Role.COORDINATOR, None),
        "auditor": person("kiemtoan", Role.AUDITOR, None),
        "clerk": person("nhaplieu", Role.CLERK, one),
        "viewer": person("xem", Role.VIEWER, one),
    }


@pytest.fixture(autouse=True)
def _fresh_lookup_counts(settings: Any) -> None:
    """Every test starts with no tracking-code lookups counted for its address, in this
    process (a test that wants Redis says so; a developer's HAILONG_REDIS_URL does not leak in)."""
    from hailong.collection.lookups import lookup_limiter_reset

    settings.HAILONG_REDIS_URL = ""

    lookup_limiter_reset()
