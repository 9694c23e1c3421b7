"""The writer's SQL: a batch that breaks a constraint loses nothing it should have stored.

SQLite takes a batch as one multi-row INSERT, PostgreSQL as one COPY; both must settle the
same way when the batch as a whole is refused (a receipt drawn twice, a unit deleted between
the check and the write, a key stored meanwhile by another process).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from hailong.campaigns.models import Campaign
from hailong.collection import writer
from hailong.collection.models import Response
from hailong.collection.writer import Pending, Stored, pending_new, write_batch
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)


def _pending(campaign: Campaign, unit: Unit, key: str, score: int = 4) -> Pending:
    return pending_new(
        key=key,
        campaign_id=campaign.pk,
        instrument_id=campaign.instrument_id,
        unit_id=unit.pk,
        service_id=None,
        year=campaign.year,
        source="web",
        collection_mode="online",
        submitted_at=dt.datetime.now(dt.UTC),
        answers={"overall": score, "comment": "Cán bộ tận tình, nhanh gọn"},
        profile={"age_group": 2},
        flags=["too_fast"] if score == 1 else [],
        result_date=dt.date(2026, 11, 20),
        client_hash="h" * 32,
        fill_seconds=95,
    )


def test_a_batch_is_stored_whole_with_every_column(open_campaign: Campaign) -> None:
    ward = Unit.objects.get(code="14797")
    batch = [_pending(open_campaign, ward, f"web-{i}", score=1 + i % 5) for i in range(40)]
    results = write_batch(batch)
    assert [r.outcome for r in results] == ["stored"] * 40
    assert len({r.receipt for r in results}) == 40
    stored = Response.objects.get(idempotency_key="web-0")
    assert stored.answers == {"overall": 1, "comment": "Cán bộ tận tình, nhanh gọn"}
    assert stored.profile == {"age_group": 2}
    assert stored.flags == ["too_fast"] and stored.review == "flagged"
    assert stored.result_date == dt.date(2026, 11, 20)
    assert stored.fill_seconds == 95 and stored.verified is False
    assert stored.receipt == results[0].receipt
    assert Response.objects.get(idempotency_key="web-1").review == "accepted"


def test_a_receipt_drawn_twice_fails_the_batch_and_each_answer_is_then_stored(
    open_campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = Unit.objects.get(code="14797")
    first = write_batch([_pending(open_campaign, ward, "web-first")])[0]
    # the next batch draws the stored receipt once, then fresh ones
    fresh = (f"{open_campaign.year}-TEST-{n:04d}-X" for n in itertools.count())
    draws = itertools.chain([first.receipt], fresh)
    monkeypatch.setattr(writer, "receipt_new", lambda year: next(draws))
    batch = [_pending(open_campaign, ward, f"web-{i}") for i in range(5)]
    results = writer.write_settled(batch)
    assert all(isinstance(r, Stored) and r.outcome == "stored" for r in results)
    assert Response.objects.count() == 6
    assert len(set(Response.objects.values_list("receipt", flat=True))) == 6


def test_an_answer_for_a_unit_deleted_meanwhile_fails_alone(open_campaign: Campaign) -> None:
    ward = Unit.objects.get(code="14797")
    gone = Unit.objects.create(code="14999", name="Xã vừa xóa", kind=UnitKind.COMMUNE)
    doomed = _pending(open_campaign, gone, "web-doomed")
    gone.delete()  # after its answer was checked, before it was written
    batch = [_pending(open_campaign, ward, "web-a"), doomed, _pending(open_campaign, ward, "web-b")]
    results = writer.write_settled(batch)
    assert isinstance(results[0], Stored) and isinstance(results[2], Stored)
    assert isinstance(results[1], Exception)
    assert set(Response.objects.values_list("idempotency_key", flat=True)) == {"web-a", "web-b"}


def test_keys_repeated_in_a_batch_or_stored_before_are_replays_or_conflicts(
    open_campaign: Campaign,
) -> None:
    ward = Unit.objects.get(code="14797")
    before = write_batch([_pending(open_campaign, ward, "api-k1")])[0]
    batch = [
        _pending(open_campaign, ward, "api-k1"),  # the same answer again
        _pending(open_campaign, ward, "api-k1", score=2),  # other content, same key
        _pending(open_campaign, ward, "api-k2"),
        _pending(open_campaign, ward, "api-k2"),  # twice in one batch
    ]
    outcomes: list[Any] = [(r.outcome, r.receipt) for r in write_batch(batch)]
    assert outcomes[0] == ("replay", before.receipt)
    assert outcomes[1] == ("conflict", "")
    assert outcomes[2][0] == "stored"
    assert outcomes[3] == ("replay", outcomes[2][1])
    assert Response.objects.count() == 2


def test_receipts_and_keys_have_one_index_each(open_campaign: Campaign) -> None:
    """Each index is one more B-tree write per submission: only the unique ones are kept."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'collection_response'"
            )
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'collection_response'"
            )
        definitions = [d or "" for (d,) in cursor.fetchall()]
    for column in ("receipt", "idempotency_key"):
        on_it = [d for d in definitions if f"({column}" in d.replace('"', "")]
        assert len(on_it) <= 1, on_it


def test_a_batch_that_fails_is_written_once_more_on_a_fresh_connection(
    open_campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection the database dropped between batches fails the next batch once."""
    from django.db import OperationalError

    ward = Unit.objects.get(code="14797")
    real = writer.write_batch
    failures = [OperationalError("server closed the connection unexpectedly")]

    def dropped_once(batch: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(batch)

    monkeypatch.setattr(writer, "write_batch", dropped_once)
    results = writer.write_settled([_pending(open_campaign, ward, f"web-{i}") for i in range(3)])
    assert [r.outcome for r in results if isinstance(r, Stored)] == ["stored"] * 3
    assert Response.objects.count() == 3
    # when the database stays down, every answer of the batch fails, none half-written
    monkeypatch.setattr(writer, "write_batch", lambda batch: (_ for _ in ()).throw(
        OperationalError("connection refused")))  # fmt: skip
    results = writer.write_settled([_pending(open_campaign, ward, "web-down")])
    assert isinstance(results[0], OperationalError) and Response.objects.count() == 3
