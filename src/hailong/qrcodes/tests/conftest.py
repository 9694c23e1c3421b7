"""A province with two units, procedures and desks, and a manager of the first unit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.units.models import Desk, Service, Unit, UnitKind


@dataclass
class Place:
    province: Unit
    ward: Unit
    other: Unit
    birth: Service
    land: Service
    desk: Desk
    manager: User


@pytest.fixture
def place(db: None) -> Place:
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    other = Unit.objects.create(
        code="STC", name="Sở Tài chính", kind=UnitKind.DEPARTMENT, parent=province
    )
    birth = Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    )
    land = Service.objects.create(
        code="1.004227", name="Đăng ký đất đai lần đầu", field="Đất đai", level="commune"
    )
    birth.units.add(ward)
    land.units.add(ward, other)
    desk = Desk.objects.create(unit=ward, code="quay-1", name="Quầy số 1 – Hộ tịch")
    manager = User.objects.create_user("manager", password="x" * 12)
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=ward)
    return Place(province, ward, other, birth, land, desk, manager)
