"""A small province: an open campaign over two wards, a third ward outside it, two procedures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Service, Unit, UnitKind


@dataclass
class World:
    campaign: Campaign
    root: Unit
    a: Unit
    b: Unit
    outside: Unit
    birth: Service  # delivered by ward A only
    anywhere: Service  # no delivering unit recorded
    today: dt.date

    def row(self, number: str, unit: Unit | None = None, **cells: object) -> dict[str, object]:
        return {
            "file_number": number,
            "unit_code": (unit or self.a).code,
            "completed_on": (self.today - dt.timedelta(days=2)).isoformat(),
            **cells,
        }


@pytest.fixture
def world(db: None) -> World:
    builtin_instruments_load()
    today = timezone.localdate()
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    a = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root)
    b = Unit.objects.create(code="14800", name="Phường Quảng Phú", kind=UnitKind.WARD, parent=root)
    outside = Unit.objects.create(code="16000", name="Xã Ngoài", kind=UnitKind.COMMUNE, parent=root)
    campaign = Campaign.objects.create(
        code="sipas-2026", name="Khảo sát 2026", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=60), period_end=today + dt.timedelta(days=60),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    for unit in (a, b):
        CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=100)
    birth = Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    )
    birth.units.set([a])
    anywhere = Service.objects.create(
        code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch", level="commune"
    )
    return World(campaign, root, a, b, outside, birth, anywhere, today)
