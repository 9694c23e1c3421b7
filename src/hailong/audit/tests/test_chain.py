"""The chain: it verifies, and whatever a DBA changes behind the triggers, verify names it."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hailong.accounts.models import User
from hailong.audit.guard import guard_set
from hailong.audit.models import AppendOnly, AuditEntry
from hailong.audit.selectors import audit_verify
from hailong.audit.services import audit_record
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def entries(n: int) -> None:
    for i in range(n):
        audit_record(action="quota.change", reason=f"lần {i}", data={"i": i, "quota": 100 + i})


def raw(sql: str, params: list[object]) -> None:
    """What someone with direct database access does: drop the guard, then write."""
    guard_set(connection, on=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_thousand_entries_verify() -> None:
    entries(1000)
    report = audit_verify()
    assert report.ok and report.checked == 1000 and report.first_broken is None
    assert report.last_hash == AuditEntry.objects.get(seq=1000).hash
    first = AuditEntry.objects.get(seq=1)
    assert first.prev_hash == "0" * 64
    assert AuditEntry.objects.get(seq=2).prev_hash == first.hash


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("actor_label", "người khác"),
        ("action", "quota.delete"),
        ("object_id", "99"),
        ("object_label", "Phường khác"),
        ("reason", "lý do khác"),
        ("data", '{"i": 6, "quota": 1}'),
        ("prev_hash", "1" * 64),
        ("hash", "2" * 64),
        ("unit_id", 12345),
        ("actor_id", 777),
    ],
)
def test_editing_any_field_of_a_row_is_caught_at_that_row(column: str, value: object) -> None:
    entries(12)
    raw(f"UPDATE audit_auditentry SET {column} = %s WHERE seq = 7", [value])
    report = audit_verify()
    assert not report.ok and report.first_broken == 7 and report.checked == 6
    assert "#7" in report.text()


def test_editing_a_row_and_its_hash_is_caught_at_the_next_row() -> None:
    entries(12)
    row = AuditEntry.objects.get(seq=7)
    row.reason = "sửa lén"
    raw(
        "UPDATE audit_auditentry SET reason = %s, hash = %s WHERE seq = 7",
        [row.reason, row.computed_hash()],
    )
    report = audit_verify()
    assert report.first_broken == 8 and "previous hash" in report.reason


def test_a_deleted_row_is_caught_as_missing() -> None:
    entries(12)
    raw("DELETE FROM audit_auditentry WHERE seq = 5", [])
    report = audit_verify()
    assert not report.ok and report.first_broken == 5 and "missing" in report.reason


def test_a_rolled_back_transaction_leaves_no_entry_and_no_gap() -> None:
    entries(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="campaign.open")
        raise RuntimeError("the caller fails after recording")
    assert AuditEntry.objects.count() == 2
    audit_record(action="campaign.open")
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert audit_verify().ok


def test_the_orm_refuses_to_change_or_delete_entries() -> None:
    entries(3)
    entry = AuditEntry.objects.get(seq=2)
    entry.reason = "sửa"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(seq=2).update(reason="sửa")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert audit_verify().ok


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditentry SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_auditentry"],
)
def test_the_database_refuses_raw_updates_and_deletes(sql: str) -> None:
    entries(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.count() == 2 and audit_verify().ok


def test_details_of_every_kind_read_back_with_the_same_hash() -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    user = User.objects.create_user("kiemtoan")
    audit_record(
        action="quota.change",
        actor=user,
        obj=ward,
        unit=ward,
        reason="Điều chỉnh theo số hồ sơ — “đợt 2”",
        data={
            "trước": 120, "sau": 95.5, "tỷ lệ": Decimal("0.825"), "ngày": dt.date(2026, 3, 1),
            "lúc": dt.datetime(2026, 3, 1, 9, 5, 7, 123456, tzinfo=dt.UTC), "lớn": 1e20,
            "nhỏ": 1.5e-7, "danh sách": [1, None, True, "á"], "lồng": {"z": 1, "a": {"b": []}},
        },
    )  # fmt: skip
    entry = AuditEntry.objects.get()
    assert entry.actor_label == "kiemtoan" and entry.object_type == "units.unit"
    assert entry.object_id == str(ward.pk) and entry.unit_id == ward.pk
    assert audit_verify().ok
    user.delete()  # the entry outlives its actor, unchanged
    assert AuditEntry.objects.get().actor_label == "kiemtoan" and audit_verify().ok


def test_the_command_exits_1_when_the_chain_is_broken(capsys: pytest.CaptureFixture[str]) -> None:
    entries(3)
    call_command("audit", "verify")
    assert "OK: 3" in capsys.readouterr().out
    raw("UPDATE audit_auditentry SET action = 'x' WHERE seq = 2", [])
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert "BROKEN at entry #2" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_make_one_unbroken_chain() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(40):
                with transaction.atomic():
                    audit_record(action="quota.change", actor_label=name, data={"i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit_verify()
    assert report.ok and report.checked == 80
    labels = set(AuditEntry.objects.values_list("actor_label", flat=True))
    assert labels == {"a", "b"}
