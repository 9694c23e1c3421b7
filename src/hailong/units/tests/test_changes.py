"""Merges, splits, edits and desks: audited, nothing deleted, answers keep a unit valid on their date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.audit.models import AuditEntry
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.kiosks.models import Kiosk
from hailong.units.models import Desk, Service, Unit, UnitKind
from hailong.units.services import (
    DeskRefused,
    UnitChangeRefused,
    desk_create,
    desk_update,
    unit_split,
    unit_update,
    units_merge,
)

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


@pytest.fixture
def province() -> Unit:
    return Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)


def communes(province: Unit, n: int) -> list[Unit]:
    return [
        Unit.objects.create(
            code=f"X{i}", name=f"Xã {i}", kind=UnitKind.COMMUNE, parent=province, valid_from=START
        )
        for i in range(n)
    ]


@pytest.fixture
def campaign() -> Campaign:
    builtin_instruments_load()
    return Campaign.objects.create(
        code="quay", name="Quầy", year=2025,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=START, period_end=dt.date(2026, 12, 31), status=Campaign.Status.OPEN,
    )  # fmt: skip


def answer(campaign: Campaign, unit: Unit, day: dt.date, n: int) -> Response:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return Response.objects.create(
        receipt=receipt_new(day.year), idempotency_key=f"k-{n}-{unit.pk}-{day}", campaign=campaign,
        instrument=campaign.instrument, unit=unit, source="kiosk", collection_mode="kiosk",
        submitted_at=at, answers={"tong_the": 5},
    )  # fmt: skip


def test_a_merge_into_a_new_unit_retires_the_old_ones_and_keeps_their_answers(
    province: Unit, campaign: Campaign
) -> None:
    a, b = communes(province, 2)
    child = Unit.objects.create(code="C", name="Tổ", kind=UnitKind.SERVICE_CENTRE, parent=a)
    service = Service.objects.create(code="1.1", name="Khai sinh", field="Hộ tịch", level="commune")
    service.units.add(b)
    old = answer(campaign, a, dt.date(2025, 6, 1), 1)
    kiosk = Kiosk.objects.create(name="Ki-ốt", unit=a, prefix="k1", secret_hash="s1")
    merged = units_merge(
        actor=None, units=[a, b], valid_from=dt.date(2025, 7, 1),
        new={"code": "M", "name": "Xã Mới", "kind": UnitKind.COMMUNE}, reason="Nghị quyết 1",
    )  # fmt: skip
    a.refresh_from_db()
    b.refresh_from_db()
    child.refresh_from_db()
    assert a.valid_to == b.valid_to == dt.date(2025, 6, 30)
    assert merged.valid_from == dt.date(2025, 7, 1) and merged.parent == province
    assert child.parent == merged and child.path.startswith(merged.path)
    assert list(merged.services.all()) == [service]
    assert Response.objects.get(pk=old.pk).unit == a
    entry = AuditEntry.objects.get(action="unit.merge")
    assert entry.data["merged"] == ["X0", "X1"] and entry.reason == "Nghị quyết 1"
    assert not Kiosk.objects.get(pk=kiosk.pk).active  # the merge took effect: no more answers
    assert entry.data["kiosks_stopped"] == [str(kiosk)]


def test_a_merge_before_an_answer_of_a_merged_unit_is_refused_and_changes_nothing(
    province: Unit, campaign: Campaign
) -> None:
    a, b = communes(province, 2)
    answer(campaign, b, dt.date(2025, 7, 3), 1)
    with pytest.raises(UnitChangeRefused, match="03/07/2025"):
        units_merge(actor=None, units=[a, b], valid_from=dt.date(2025, 7, 1), into=province)
    assert Unit.objects.filter(valid_to__isnull=False).count() == 0
    assert not AuditEntry.objects.exists()


def test_a_merge_into_an_existing_unit_and_the_refusals(province: Unit) -> None:
    a, b, c = communes(province, 3)
    with pytest.raises(UnitChangeRefused):
        units_merge(actor=None, units=[a, b], valid_from=dt.date(2025, 7, 1), into=a)
    with pytest.raises(UnitChangeRefused):
        units_merge(actor=None, units=[a], valid_from=dt.date(2025, 7, 1))
    with pytest.raises(UnitChangeRefused, match="01/01/2024"):
        units_merge(actor=None, units=[a, b], valid_from=START, into=c)
    assert units_merge(actor=None, units=[a, b], valid_from=dt.date(2025, 7, 1), into=c) == c
    with pytest.raises(UnitChangeRefused, match="30/06/2025"):
        units_merge(actor=None, units=[a, c], valid_from=dt.date(2025, 8, 1), into=province)


def test_a_split_makes_new_units_and_the_old_one_ends(province: Unit, campaign: Campaign) -> None:
    (a,) = communes(province, 1)
    answer(campaign, a, dt.date(2025, 1, 5), 1)
    parts = [
        {"code": "P1", "name": "Phường Một", "kind": UnitKind.WARD},
        {"code": "P2", "name": "Xã Hai", "kind": UnitKind.COMMUNE},
    ]
    with pytest.raises(UnitChangeRefused):
        unit_split(actor=None, unit=a, valid_from=dt.date(2025, 7, 1), parts=parts[:1])
    with pytest.raises(UnitChangeRefused):
        unit_split(actor=None, unit=a, valid_from=dt.date(2025, 7, 1), parts=[parts[0]] * 2)
    made = unit_split(actor=None, unit=a, valid_from=dt.date(2025, 7, 1), parts=parts)
    a.refresh_from_db()
    assert a.valid_to == dt.date(2025, 6, 30)
    assert [u.code for u in made] == ["P1", "P2"] and all(u.parent == province for u in made)
    assert AuditEntry.objects.get(action="unit.split").data["into"] == ["P1", "P2"]
    with pytest.raises(UnitChangeRefused, match="P1"):
        unit_split(actor=None, unit=made[1], valid_from=dt.date(2026, 1, 1), parts=parts)


def test_an_edit_is_audited_and_cannot_make_a_loop(province: Unit) -> None:
    (a,) = communes(province, 1)
    unit_update(actor=None, unit=a, values={"name": "Xã Đổi Tên", "phone": "0237 3852 000"})
    entry = AuditEntry.objects.get(action="unit.update")
    assert entry.data["name"] == ["Xã 0", "Xã Đổi Tên"]
    with pytest.raises(UnitChangeRefused):
        unit_update(actor=None, unit=province, values={"parent": a})
    unit_update(actor=None, unit=a, values={"name": "Xã Đổi Tên"})
    assert AuditEntry.objects.filter(action="unit.update").count() == 1  # no change, no entry


def test_desks_are_added_renamed_and_deactivated_never_deleted(province: Unit) -> None:
    desk = desk_create(actor=None, unit=province, code="Quầy 1", name="Quầy 1")
    assert desk.code == "quay-1"  # as typed, without accents or spaces
    with pytest.raises(DeskRefused) as refused:
        desk_create(actor=None, unit=province, code="quay-1", name="Lại quầy 1")
    assert set(refused.value.problems) == {"code"} and "đã có quầy mã quay-1" in str(refused.value)
    assert desk_create(actor=None, unit=province, code="", name="Quầy số 2 – Đất đai").code == (
        "quay-so-2-dat-dai"
    )
    with pytest.raises(DeskRefused) as refused:
        desk_create(actor=None, unit=province, code="", name="  ")
    assert set(refused.value.problems) == {"name"}
    with pytest.raises(DeskRefused) as refused:
        desk_create(actor=None, unit=province, code="—", name="Quầy 3")
    assert "cần chữ hoặc số" in refused.value.problems["code"]
    desk_update(actor=None, desk=desk, name="Quầy 1 – Hộ tịch", active=False)
    desk = Desk.objects.get(pk=desk.pk)
    assert (desk.name, desk.active) == ("Quầy 1 – Hộ tịch", False)
    actions = [e.action for e in AuditEntry.objects.order_by("seq")]
    assert actions == ["desk.create", "desk.create", "desk.update"]  # refusals change nothing


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answer_days=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 700)), max_size=8),
    merged=st.sets(st.integers(0, 3), min_size=2, max_size=4),
    into=st.one_of(st.none(), st.integers(0, 3)),
    offset=st.integers(1, 730),
)
def test_after_any_merge_every_answer_points_at_a_unit_valid_on_its_date(
    province: Unit,
    campaign: Campaign,
    answer_days: list[tuple[int, int]],
    merged: set[int],
    into: int | None,
    offset: int,
) -> None:
    with transaction.atomic():
        units = communes(province, 4)
        for n, (i, day) in enumerate(answer_days):
            answer(campaign, units[i], START + dt.timedelta(days=day), n)
        before = (Unit.objects.count(), Response.objects.count())
        target = units[into] if into is not None else None
        try:
            units_merge(
                actor=None, units=[units[i] for i in sorted(merged)],
                valid_from=START + dt.timedelta(days=offset), into=target,
                new={"code": "NEW", "name": "Mới", "kind": UnitKind.COMMUNE},
            )  # fmt: skip
            created = 1 if target is None else 0
        except UnitChangeRefused:
            created = 0
            assert not Unit.objects.filter(valid_to__isnull=False).exists()
        assert (Unit.objects.count(), Response.objects.count()) == (before[0] + created, before[1])
        for response in Response.objects.select_related("unit"):
            day = timezone.localdate(response.submitted_at)
            unit = response.unit
            assert unit.valid_from is None or unit.valid_from <= day
            assert unit.valid_to is None or day <= unit.valid_to
        transaction.set_rollback(True)
