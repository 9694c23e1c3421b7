"""A desk campaign over two wards of one province, and a helper that files one answer."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

_keys = itertools.count(1)


@pytest.fixture
def units() -> dict[str, Unit]:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    return {
        "root": root,
        "a": Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root),
        "b": Unit.objects.create(code="15001", name="Xã Đông Tiến", kind=UnitKind.COMMUNE, parent=root),
    }  # fmt: skip


@pytest.fixture
def campaign(units: dict[str, Unit]) -> Campaign:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-2026", name="Đánh giá tại quầy 2026", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=120), period_end=today + dt.timedelta(days=5),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    for key in ("a", "b"):
        CampaignUnit.objects.create(campaign=campaign, unit=units[key], quota=50)
    return campaign


Answer = Callable[..., Response]


@pytest.fixture
def answer(campaign: Campaign) -> Answer:
    def make(unit: Unit, comment: str | None, *, days_ago: int = 0, **extra: Any) -> Response:
        answers: dict[str, Any] = {"tong_the": 4}
        if comment is not None:
            answers["y_kien"] = comment
        return Response.objects.create(
            receipt=receipt_new(campaign.year), idempotency_key=f"t-{next(_keys)}",
            campaign=campaign, instrument=campaign.instrument, unit=unit, source="kiosk",
            collection_mode="kiosk", answers=answers,
            submitted_at=timezone.now() - dt.timedelta(days=days_ago), **extra,
        )  # fmt: skip

    return make


@pytest.fixture
def signed_in() -> Callable[..., Client]:
    def make(role: str | None, unit: Unit | None = None) -> Client:
        user = User.objects.create_user(f"u-{next(_keys)}")
        if role:
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
        client = Client()
        client.force_login(user)
        return client

    return make
