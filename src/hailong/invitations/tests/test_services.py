"""Bulk creation: all or nothing, idempotent by (campaign, file number), every problem named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from hailong.campaigns.models import Campaign
from hailong.core.imports import ImportRejected, read_rows
from hailong.invitations.codes import code_normalise
from hailong.invitations.models import InvitationCode
from hailong.invitations.services import (
    REQUIRED,
    OutsideScope,
    invitations_create,
    invitations_plan,
)
from hailong.units.models import Unit

from .conftest import World

pytestmark = pytest.mark.django_db


def numbered(*rows: dict[str, object]) -> list[tuple[int, dict[str, object]]]:
    return list(enumerate(rows, start=2))


def problems_of(exc: pytest.ExceptionInfo[ImportRejected]) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in exc.value.problems}


def test_codes_are_created_in_row_order_with_their_file(world: World) -> None:
    rows = numbered(
        world.row("H56-0001", service_code=world.birth.code),
        world.row("H56-0002", world.b, expires_on=world.today.isoformat()),
        world.row("H56-0003", completed_on=(world.today - dt.timedelta(days=3)).strftime("%d/%m/%Y")),
    )  # fmt: skip
    codes = invitations_create(campaign=world.campaign, rows=rows, batch="lo1")
    assert [c.file_number for c in codes] == ["H56-0001", "H56-0002", "H56-0003"]
    first, second, third = (InvitationCode.objects.get(pk=c.pk) for c in codes)
    assert code_normalise(first.code) == first.code and first.batch == "lo1"
    assert first.service == world.birth and first.unit == world.a and first.used_at is None
    assert first.completed_on == world.today - dt.timedelta(days=2)
    assert first.expires_on == first.completed_on + dt.timedelta(days=30)
    assert second.unit == world.b and second.expires_on == world.today
    assert third.completed_on == world.today - dt.timedelta(days=3)


def test_the_expiry_default_comes_from_the_settings(world: World, settings: object) -> None:
    settings.HAILONG_INVITATION_DAYS = 7  # type: ignore[attr-defined]
    (code,) = invitations_create(campaign=world.campaign, rows=numbered(world.row("H56-1")))
    assert code.expires_on == code.completed_on + dt.timedelta(days=7)


def test_one_bad_row_creates_nothing_and_is_named(world: World) -> None:
    rows = numbered(world.row("H56-0001"), world.row("H56-0002", unit_code="99999"))
    with pytest.raises(ImportRejected) as exc:
        invitations_create(campaign=world.campaign, rows=rows)
    assert problems_of(exc) == {(3, "unit_code")}
    assert "99999" in str(exc.value) and "không có đơn vị" in str(exc.value)
    assert not InvitationCode.objects.exists()


def test_the_same_file_again_returns_its_code(world: World) -> None:
    rows = numbered(world.row("H56-0001"), world.row("H56-0002", service_code=world.birth.code))
    first = invitations_create(campaign=world.campaign, rows=rows)
    again = invitations_create(
        campaign=world.campaign, rows=[*rows, (4, world.row("H56-0003"))], batch="lo2"
    )
    assert [c.code for c in again[:2]] == [c.code for c in first]
    assert [c.batch == "lo2" for c in again] == [False, False, True]
    assert InvitationCode.objects.count() == 3


def test_the_same_file_with_another_unit_service_or_date_is_a_conflict(world: World) -> None:
    invitations_create(campaign=world.campaign, rows=numbered(world.row("H56-0001")))
    other_date = (world.today - dt.timedelta(days=9)).isoformat()
    for changed in (
        world.row("H56-0001", world.b),
        world.row("H56-0001", service_code=world.anywhere.code),
        world.row("H56-0001", completed_on=other_date),
    ):
        with pytest.raises(ImportRejected) as exc:
            invitations_create(campaign=world.campaign, rows=numbered(changed))
        assert problems_of(exc) == {(2, "file_number")}
        assert "đã có mã" in str(exc.value)
    assert InvitationCode.objects.count() == 1


def test_every_kind_of_bad_row_is_reported_with_row_and_column(world: World) -> None:
    future = (world.today + dt.timedelta(days=1)).isoformat()
    before = (world.campaign.period_start - dt.timedelta(days=1)).isoformat()
    rows = numbered(
        world.row("H1", world.outside),  # not in the campaign
        world.row("H2", service_code="9.999999"),  # unknown procedure
        world.row("H3", world.b, service_code=world.birth.code),  # not delivered by B
        world.row("H4", completed_on=future),
        world.row("H5", completed_on=before),
        world.row("H6", completed_on="mai"),
        world.row("H7", expires_on=(world.today - dt.timedelta(days=30)).isoformat()),
        world.row("H8", expires_on="31/02/2026"),
        {"file_number": "", "unit_code": "", "completed_on": ""},
        world.row("H1", world.b),  # repeats row 2
        world.row("X" * 65),
    )
    with pytest.raises(ImportRejected) as exc:
        invitations_create(campaign=world.campaign, rows=rows)
    assert problems_of(exc) == {
        (2, "unit_code"), (3, "service_code"), (4, "service_code"), (5, "completed_on"),
        (6, "completed_on"), (7, "completed_on"), (8, "expires_on"), (9, "expires_on"),
        (10, "file_number"), (10, "unit_code"), (10, "completed_on"), (11, "file_number"),
        (12, "file_number"),
    }  # fmt: skip
    text = str(exc.value)
    assert "không thuộc đợt khảo sát" in text and "is not in the campaign's scope" in text
    assert "trùng với dòng 2" in text and "repeats row 2" in text
    assert "in the future" in text and "outside the campaign period" in text
    assert not InvitationCode.objects.exists()


def test_a_closed_campaign_takes_no_codes(world: World) -> None:
    world.campaign.status = Campaign.Status.CLOSED
    world.campaign.save()
    with pytest.raises(ImportRejected, match="closed"):
        invitations_create(campaign=world.campaign, rows=numbered(world.row("H1")))


def test_units_outside_the_callers_scope_are_refused_apart(world: World) -> None:
    rows = numbered(world.row("H1"), world.row("H2", world.b))
    with pytest.raises(OutsideScope) as exc:
        invitations_create(
            campaign=world.campaign, rows=rows, units_allowed=Unit.objects.filter(pk=world.a.pk)
        )
    assert problems_of(exc) == {(3, "unit_code")}
    assert "14800" in str(exc.value)
    assert not InvitationCode.objects.exists()


def test_a_dry_run_writes_nothing(world: World) -> None:
    plan = invitations_plan(campaign=world.campaign, rows=numbered(world.row("H1")))
    assert [p.file_number for p in plan] == ["H1"] and plan[0].existing is None
    assert not InvitationCode.objects.exists()


def test_csv_and_xlsx_files_give_the_same_codes(world: World, tmp_path: Path) -> None:
    day = world.today - dt.timedelta(days=4)
    csv_path = tmp_path / "ho-so.csv"
    csv_path.write_text(
        "file_number,unit_code,service_code,completed_on,expires_on\n"
        f"H1,14797,1.001193,{day:%d/%m/%Y},\nH2,14800,,{day.isoformat()},\n",
        encoding="utf-8-sig",
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["file_number", "unit_code", "service_code", "completed_on", "expires_on"])
    sheet.append(["H1", 14797, "1.001193", dt.datetime.combine(day, dt.time()), None])
    sheet.append([None, None, None, None, None])
    sheet.append(["H2", "14800", None, day, None])
    xlsx_path = tmp_path / "ho-so.xlsx"
    book.save(xlsx_path)

    from_csv = invitations_create(campaign=world.campaign, rows=read_rows(csv_path, REQUIRED))
    xlsx_rows = read_rows(xlsx_path, REQUIRED)
    assert [n for n, _ in xlsx_rows] == [2, 4]  # blank rows skipped, numbers kept
    from_xlsx = invitations_create(campaign=world.campaign, rows=xlsx_rows)
    assert [c.code for c in from_xlsx] == [c.code for c in from_csv]
    assert from_csv[0].completed_on == day


def test_a_file_missing_a_column_or_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("file_number,unit_code\nH1,14797\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="completed_on"):
        read_rows(path, REQUIRED)
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ImportRejected, match="XLSX"):
        read_rows(broken, REQUIRED)
