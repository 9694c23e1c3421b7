"""A small province, an open campaign on the 2017 provincial form, and staff with roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Service, Unit, UnitKind


@pytest.fixture
def province() -> dict[str, Unit]:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root
    )
    commune = Unit.objects.create(
        code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root
    )
    return {"root": root, "a": ward, "b": commune}


def campaign_of(code: str, instrument: str, units: list[Unit]) -> Campaign:
    builtin_instruments_load()
    campaign = Campaign.objects.create(
        code=code, name=f"Khảo sát {code}", year=2025,
        instrument=InstrumentVersion.objects.get(code=instrument),
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), status=Campaign.Status.OPEN,
    )  # fmt: skip
    for unit in units:
        CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=100)
    return campaign


@pytest.fixture
def campaign(province: dict[str, Unit]) -> Campaign:
    return campaign_of("sipas-2025", "sipas-2017-province", [province["a"], province["b"]])


@pytest.fixture
def service() -> Service:
    return Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    )


def staff(username: str, role: str, unit: Unit | None) -> User:
    user = User.objects.create_user(username=username, password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def people(province: dict[str, Unit]) -> dict[str, User]:
    return {
        "lan": staff("lan", Role.CLERK, province["a"]),
        "minh": staff("minh", Role.CLERK, province["a"]),
        "hoa": staff("hoa", Role.CLERK, province["a"]),
        "binh": staff("binh", Role.CLERK, province["b"]),
        "dieuphoi": staff("dieuphoi", Role.COORDINATOR, None),
        "xem": staff("xem", Role.VIEWER, None),
    }


def sheet(**changes: Any) -> dict[str, str]:
    """A valid 2017 provincial sheet as typed: profile codes, every item 4, no feedback given."""
    typed = {
        "gioi_tinh": "2", "dan_toc": "1", "tuoi": "3", "hoc_van": "5", "nghe_nghiep": "6",
        "noi_o": "1", "dia_ban": "2", "hinh_thuc_nop": "1", "gave_feedback": "2",
    }  # fmt: skip
    instrument = InstrumentVersion.objects.get(code="sipas-2017-province").to_core()
    for q in instrument.questions():
        if q.factor and q.show_if is None:
            typed[q.code] = "4"
    typed.update({k: str(v) for k, v in changes.items()})
    return typed
