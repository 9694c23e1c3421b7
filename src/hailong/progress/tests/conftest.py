"""A small province with an open campaign, and a helper that stores one answer."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

_keys = itertools.count()
Answer = Callable[..., Response]


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    """The board caches a campaign's counts for a few seconds; each test starts without."""
    cache.clear()


@pytest.fixture
def units() -> dict[str, Unit]:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    return {
        "root": root,
        "a": Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root),
        "b": Unit.objects.create(code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root),
        "c": Unit.objects.create(code="15004", name="Xã Đông Thịnh", kind=UnitKind.COMMUNE, parent=root),
    }  # fmt: skip


@pytest.fixture
def campaign(units: dict[str, Unit]) -> Campaign:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=10), period_end=today + dt.timedelta(days=9),
        status=Campaign.Status.OPEN, channels=["web", "qr", "kiosk"],
    )  # fmt: skip
    for key, quota in (("a", 100), ("b", 100), ("c", 40)):
        CampaignUnit.objects.create(campaign=campaign, unit=units[key], quota=quota)
    return campaign


def local(day: dt.date, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


@pytest.fixture
def answer(campaign: Campaign) -> Answer:
    def make(unit: Unit, at: dt.datetime, overall: int = 4, **extra: Any) -> Response:
        fields: dict[str, Any] = {"source": "web", "collection_mode": "online"} | extra
        return Response.objects.create(
            receipt=receipt_new(campaign.year), idempotency_key=f"p-{next(_keys)}",
            campaign=campaign, instrument=campaign.instrument, unit=unit, submitted_at=at,
            answers={"tong_the": overall, "cong_chuc": overall}, **fields,
        )  # fmt: skip

    return make


def signed_in(role: str | None, unit: Unit | None = None, name: str = "") -> Client:
    user = User.objects.create_user(name or f"u-{role}-{unit.pk if unit else 0}")
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client
