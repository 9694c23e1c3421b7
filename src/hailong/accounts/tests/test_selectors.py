from __future__ import annotations

import pytest

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.accounts.selectors import units_in_scope
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_a_role_covers_its_unit_subtree_and_nothing_else() -> None:
    root = Unit.objects.create(code="38", name="Tỉnh", kind=UnitKind.PROVINCE)
    dept = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=root)
    office = Unit.objects.create(
        code="SNV-1", name="Văn phòng Sở", kind=UnitKind.DEPARTMENT, parent=dept
    )
    other = Unit.objects.create(
        code="STC", name="Sở Tài chính", kind=UnitKind.DEPARTMENT, parent=root
    )
    manager = User.objects.create_user("manager", password="x" * 12)
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=dept)
    assert set(units_in_scope(user=manager)) == {dept, office}
    assert other not in units_in_scope(user=manager)
    assert not units_in_scope(user=manager, roles=(Role.VIEWER,)).exists()

    coordinator = User.objects.create_user("coordinator", password="x" * 12)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, unit=None)
    assert units_in_scope(user=coordinator).count() == 4

    nobody = User.objects.create_user("nobody", password="x" * 12)
    assert not units_in_scope(user=nobody).exists()
    manager.is_active = False
    assert not units_in_scope(user=manager).exists()
