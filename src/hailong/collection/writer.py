"""One writer per process with group commit: the durable end of the submission path.

Requests hand their answer to :meth:`Writer.store` and wait. A single thread, holding the
process's only writing connection, takes every answer waiting, checks their idempotency keys
and invitation codes, inserts them and commits once; then each request learns its outcome.
So a 201 is sent only after the COMMIT that holds its answer (SQLite is run with
``synchronous=FULL`` in WAL mode, so a commit is on disk), while one fsync serves hundreds of
answers (see docs/performance.md). Several processes each have their own writer; SQLite
serialises them with its write lock, PostgreSQL with row locks and the unique keys.

Outcomes, per answer:

- stored: a new receipt;
- replay: the key was stored before with the same content: the original receipt, nothing new;
- conflict: the key was stored with different content (HTTP 409);
- the invitation code was already used, or is unknown (HTTP 409 / 422).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import queue
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from django.db import IntegrityError, connection, transaction

from .models import Response
from .receipts import receipt_new

log = logging.getLogger(__name__)

Outcome = Literal["stored", "replay", "conflict", "code_used"]
MAX_BATCH = 1000


def fingerprint(
    *, campaign_id: int, unit_id: int, service_id: int | None, answers: dict[str, Any]
) -> str:
    """A digest of what was answered, and about what: a replay must match it exactly."""
    payload = msgspec.json.encode([campaign_id, unit_id, service_id, answers], order="sorted")
    return hashlib.sha256(payload).hexdigest()


@dataclass
class Pending:
    """An answer that has passed every check and waits to be written."""

    key: str
    campaign_id: int
    instrument_id: int
    unit_id: int
    service_id: int | None
    year: int
    source: str
    collection_mode: str
    submitted_at: dt.datetime
    answers: dict[str, Any]
    profile: dict[str, Any]
    flags: list[str] = field(default_factory=list)
    filing_channel: str = ""
    result_date: dt.date | None = None
    invitation: str = ""
    desk_id: int | None = None
    client_hash: str = ""
    device: str = ""
    fill_seconds: int | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(
            campaign_id=self.campaign_id,
            unit_id=self.unit_id,
            service_id=self.service_id,
            answers={**self.answers, **self.profile},
        )


@dataclass(frozen=True)
class Stored:
    outcome: Outcome
    receipt: str = ""


_COLUMNS = (
    "receipt",
    "idempotency_key",
    "campaign_id",
    "instrument_id",
    "unit_id",
    "service_id",
    "desk_id",
    "source",
    "collection_mode",
    "filing_channel",
    "result_date",
    "submitted_at",
    "received_at",
    "changed_at",
    "answers",
    "profile",
    "flags",
    "review",
    "verified",
    "invitation",
    "fingerprint",
    "client_hash",
    "device",
    "fill_seconds",
)


def write_batch(batch: Sequence[Pending]) -> list[Stored]:
    """Write a batch in one transaction; the outcome of each answer, in order.

    Runs in the writer thread (or directly, in a synchronous caller). Keys repeated inside
    the batch are settled like keys already stored.
    """
    table = Response._meta.db_table
    ops = connection.ops
    keys = sorted({p.key for p in batch})
    prints = [p.fingerprint for p in batch]
    outcomes: list[Stored | None] = [None] * len(batch)
    with transaction.atomic(), connection.cursor() as cursor:
        known: dict[str, tuple[str, str]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT idempotency_key, fingerprint, receipt FROM {table} "
                f"WHERE idempotency_key IN ({marks})",
                chunk,
            )
            known.update({k: (f, r) for k, f, r in cursor.fetchall()})
        rows: list[list[Any]] = []
        now = dt.datetime.now(dt.UTC)
        stamp = ops.adapt_datetimefield_value(now)
        for i, pending in enumerate(batch):
            seen = known.get(pending.key)
            if seen is not None:
                same = seen[0] == prints[i]
                outcomes[i] = Stored("replay", seen[1]) if same else Stored("conflict")
                continue
            receipt = receipt_new(pending.year)
            if pending.invitation:
                cursor.execute(
                    "UPDATE invitations_invitationcode SET used_at = %s, receipt = %s "
                    "WHERE code = %s AND used_at IS NULL",
                    [stamp, receipt, pending.invitation],
                )
                if cursor.rowcount != 1:
                    outcomes[i] = Stored("code_used")
                    continue
            known[pending.key] = (prints[i], receipt)
            outcomes[i] = Stored("stored", receipt)
            rows.append(_row(pending, receipt, prints[i], now, stamp))
        if rows:
            cast = "::jsonb" if connection.vendor == "postgresql" else ""
            marks = ",".join(f"%s{cast}" if c in _JSON else "%s" for c in _COLUMNS)
            cursor.executemany(f"INSERT INTO {table} ({','.join(_COLUMNS)}) VALUES ({marks})", rows)
    return [o for o in outcomes if o is not None]


_JSON = frozenset({"answers", "profile", "flags"})


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _row(pending: Pending, receipt: str, print_: str, now: dt.datetime, stamp: Any) -> list[Any]:
    ops = connection.ops
    review = Response.Review.FLAGGED if pending.flags else Response.Review.ACCEPTED
    return [
        receipt,
        pending.key,
        pending.campaign_id,
        pending.instrument_id,
        pending.unit_id,
        pending.service_id,
        pending.desk_id,
        pending.source,
        pending.collection_mode,
        pending.filing_channel,
        ops.adapt_datefield_value(pending.result_date),
        stamp
        if pending.submitted_at == now
        else ops.adapt_datetimefield_value(pending.submitted_at),
        stamp,
        stamp,
        _json(pending.answers),
        _json(pending.profile),
        _json(pending.flags),
        str(review),
        bool(pending.invitation),
        pending.invitation,
        print_,
        pending.client_hash,
        pending.device,
        pending.fill_seconds,
    ]


def write_each(batch: Sequence[Pending]) -> list[Stored | Exception]:
    """Write a batch answer by answer, when the batch as a whole broke a constraint.

    That happens when another process stored the same key between our read and our insert
    (each answer is then settled against what is now stored), or when one answer names a
    row deleted meanwhile (only that answer fails).
    """
    results: list[Stored | Exception] = []
    for pending in batch:
        try:
            results.append(write_batch([pending])[0])
        except IntegrityError as exc:
            results.append(exc)
    return results


class Writer:
    """The process's writer thread; :meth:`store` is awaited by request handlers."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[
            tuple[Pending, asyncio.Future[Stored], asyncio.AbstractEventLoop] | None
        ] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.written = 0

    async def store(self, pending: Pending) -> Stored:
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._queue.put((pending, future, loop))
        return await future

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="hailong-writer", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                waiting = [first]
                while len(waiting) < self.max_batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        self._queue.put(None)
                        break
                    waiting.append(item)
                self._write(waiting)
        finally:
            connection.close()

    def _write(
        self, waiting: list[tuple[Pending, asyncio.Future[Stored], asyncio.AbstractEventLoop]]
    ) -> None:
        batch = [p for p, _, _ in waiting]
        results: Sequence[Stored | Exception]
        try:  # the writer keeps its connection open: opening one per batch would cost more
            try:
                results = write_batch(batch)
            except IntegrityError:
                results = write_each(batch)
        except Exception as exc:  # the database is down or full: every waiting request fails
            log.exception("writing %d answers failed", len(batch))
            results = [exc] * len(batch)
            connection.close()  # the next batch reconnects
        self.batches += 1
        self.written += sum(isinstance(r, Stored) and r.outcome == "stored" for r in results)
        for (_, future, loop), result in zip(waiting, results, strict=True):
            if isinstance(result, Exception):
                loop.call_soon_threadsafe(_fail, future, result)
            else:
                loop.call_soon_threadsafe(_settle, future, result)


def _settle(future: asyncio.Future[Stored], result: Stored) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Stored], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def stored_keys(keys: Iterable[str]) -> dict[str, str]:
    """Receipts of the keys already stored (for tests and replays)."""
    return dict(
        Response.objects.filter(idempotency_key__in=list(keys)).values_list(
            "idempotency_key", "receipt"
        )
    )
