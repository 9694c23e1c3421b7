"""Group commit: the durable end of the submission path.

:func:`write_batch` takes every answer waiting, checks their idempotency keys and invitation
codes, inserts them and commits once; then each request learns its outcome. So a 201 is sent
only after the COMMIT that holds its answer (SQLite is run with ``synchronous=FULL`` in WAL
mode, so a commit is on disk), while one fsync serves many answers (docs/performance.md).

Under ``hailong serve`` one writer process runs it for every worker
(:mod:`.writer_process`). Served any other way, each process has a :class:`Writer` thread
holding its only writing connection; several such processes are serialised by SQLite's write
lock, or by PostgreSQL's row locks and unique keys.

Outcomes, per answer:

- stored: a new receipt;
- replay: the key was stored before with the same content: the original receipt, nothing new;
- conflict: the key was stored with different content (HTTP 409);
- the invitation code was already used, or is unknown (HTTP 409 / 422).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from django.db import IntegrityError, connection

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


def answers_json(answers: dict[str, Any]) -> bytes:
    """All answers (profile included) encoded once, keys sorted, for every digest of them."""
    return msgspec.json.encode(answers, order="sorted")


def fingerprint_of(
    *, campaign_id: int, unit_id: int, service_id: int | None, encoded: bytes
) -> str:
    """:func:`fingerprint` from :func:`answers_json`: the same bytes hashed, one encoding less.

    The bytes must stay those of :func:`fingerprint`, or a replay of an answer stored before
    would be taken for a different answer under the same key.
    """
    service = b"null" if service_id is None else str(int(service_id)).encode()
    head = b"[%d,%d,%s," % (campaign_id, unit_id, service)
    return hashlib.sha256(head + encoded + b"]").hexdigest()


class Pending(msgspec.Struct, frozen=True, gc=False):
    """An answer that has passed every check and waits to be written: the row, ready.

    Everything but the receipt and the times of writing is computed in the request's own
    thread (:func:`pending_new`), so that the writer, which every answer waits for, only runs
    SQL; the fields travel as they are to a writer process (:mod:`.writer_process`), by name:
    a writer started from a newer release than the workers refuses what it cannot read (503)
    rather than put a value in the wrong column.
    """

    key: str
    fingerprint: str
    year: int
    invitation: str
    campaign_id: int
    instrument_id: int
    unit_id: int
    service_id: int | None
    desk_id: int | None
    source: str
    collection_mode: str
    filing_channel: str
    result_date: dt.date | None
    submitted_at: dt.datetime
    answers: str  # JSON, keys sorted
    profile: str
    flags: str
    flagged: bool
    client_hash: str
    device: str
    fill_seconds: int | None


def pending_new(
    *,
    key: str,
    campaign_id: int,
    instrument_id: int,
    unit_id: int,
    service_id: int | None,
    year: int,
    source: str,
    collection_mode: str,
    submitted_at: dt.datetime,
    answers: dict[str, Any],
    profile: dict[str, Any],
    flags: list[str] | None = None,
    filing_channel: str = "",
    result_date: dt.date | None = None,
    invitation: str = "",
    desk_id: int | None = None,
    client_hash: str = "",
    device: str = "",
    fill_seconds: int | None = None,
    sorted_json: bytes | None = None,
) -> Pending:
    """The row of a checked answer; ``sorted_json`` is :func:`answers_json` of answers and
    profile together, when the caller has it already."""
    together = sorted_json
    if together is None:
        together = answers_json({**answers, **profile})
    # without profile answers, the stored answers are the sorted encoding already
    return Pending(
        key,
        fingerprint_of(
            campaign_id=campaign_id, unit_id=unit_id, service_id=service_id, encoded=together
        ),
        year,
        invitation,
        campaign_id,
        instrument_id,
        unit_id,
        service_id,
        desk_id,
        source,
        collection_mode,
        filing_channel,
        result_date,
        submitted_at,
        together.decode() if not profile else _json(answers),
        _json(profile) if profile else "{}",
        _json(flags) if flags else "[]",
        bool(flags),
        client_hash,
        device,
        fill_seconds,
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

    Runs in the writer thread (or directly, in a synchronous caller) on the database driver's
    own connection: Django's transaction machinery costs more than the SQL of a small batch.
    Keys repeated inside the batch are settled like keys already stored.
    """
    connection.ensure_connection()
    raw = connection.connection
    sqlite = connection.vendor == "sqlite"
    mark = "?" if sqlite else "%s"
    table = Response._meta.db_table
    now = dt.datetime.now(dt.UTC)
    stamp = _moment(now, sqlite)
    keys = sorted({p.key for p in batch})
    outcomes: list[Stored] = []
    rows: list[Any] = []
    cursor = raw.cursor()
    try:
        if sqlite:
            _begin_immediate(cursor)
        else:
            cursor.execute("BEGIN")
        known: dict[str, tuple[str, str]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            cursor.execute(
                f"SELECT idempotency_key, fingerprint, receipt FROM {table} "
                f"WHERE idempotency_key IN ({','.join([mark] * len(chunk))})",
                chunk,
            )
            known.update({k: (f, r) for k, f, r in cursor.fetchall()})
        count = 0
        for pending in batch:
            seen = known.get(pending.key)
            if seen is not None:
                same = seen[0] == pending.fingerprint
                outcomes.append(Stored("replay", seen[1]) if same else Stored("conflict"))
                continue
            receipt = receipt_new(pending.year)
            if pending.invitation:
                cursor.execute(
                    f"UPDATE invitations_invitationcode SET used_at = {mark}, receipt = {mark} "
                    f"WHERE code = {mark} AND used_at IS NULL",
                    [stamp, receipt, pending.invitation],
                )
                if cursor.rowcount != 1:
                    outcomes.append(Stored("code_used"))
                    continue
            known[pending.key] = (pending.fingerprint, receipt)
            outcomes.append(Stored("stored", receipt))
            rows.extend(_row(pending, receipt, stamp, sqlite))
            count += 1
        width = len(_COLUMNS)
        if sqlite:  # one statement per 200 rows, not one per row: fewer calls into SQLite
            for start in range(0, count, ROWS_PER_INSERT):
                n = min(ROWS_PER_INSERT, count - start)
                params = rows[start * width : (start + n) * width]
                cursor.execute(_insert_sql(table, n), params)
        elif count:  # PostgreSQL: COPY, two to two and a half times the rows of an INSERT
            with cursor.copy(f"COPY {table} ({','.join(_COLUMNS)}) FROM STDIN") as copy:
                for at in range(0, count * width, width):
                    copy.write_row(rows[at : at + width])
        cursor.execute("COMMIT")
    except connection.Database.IntegrityError as exc:  # type: ignore[attr-defined]
        _rollback(cursor)
        raise IntegrityError(*exc.args) from exc
    except BaseException:
        _rollback(cursor)
        raise
    finally:
        cursor.close()
    return outcomes


def _begin_immediate(cursor: Any, patience: float = 10.0) -> None:
    """Take SQLite's write lock, retrying every 0.2 ms while another process holds it.

    SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries, far longer than another
    writer's batch lasts, which would make every answer wait behind the other process.
    """
    cursor.execute("PRAGMA busy_timeout = 0")
    deadline = time.monotonic() + patience
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except connection.Database.OperationalError as exc:  # type: ignore[attr-defined]
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.0002)
    finally:
        cursor.execute("PRAGMA busy_timeout = 10000")


def _rollback(cursor: Any) -> None:
    try:
        cursor.execute("ROLLBACK")
    except Exception:  # the connection is gone; closing it below starts afresh
        connection.close()


def _moment(value: dt.datetime, sqlite: bool) -> Any:
    """A time as the driver stores it (Django's format: naive UTC text on SQLite)."""
    if sqlite:
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return value


ROWS_PER_INSERT = 200  # x 24 columns: under SQLite's 32,766 bound parameters


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


@functools.cache  # n is at most ROWS_PER_INSERT
def _insert_sql(table: str, n: int) -> str:
    one = "(" + ",".join("?" * len(_COLUMNS)) + ")"
    return f"INSERT INTO {table} ({','.join(_COLUMNS)}) VALUES {','.join([one] * n)}"


def _row(pending: Pending, receipt: str, stamp: Any, sqlite: bool) -> list[Any]:
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
        pending.result_date.isoformat() if pending.result_date and sqlite else pending.result_date,
        _moment(pending.submitted_at, sqlite),
        stamp,
        stamp,
        pending.answers,
        pending.profile,
        pending.flags,
        "flagged" if pending.flagged else "accepted",
        bool(pending.invitation),
        pending.invitation,
        pending.fingerprint,
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


def write_settled(batch: Sequence[Pending]) -> Sequence[Stored | Exception]:
    """Each answer's outcome, or the exception that kept it from being written.

    The writer keeps its connection open between batches (opening one per batch would cost
    more), so a connection the database dropped meanwhile (a restart, an idle timeout) fails
    the next batch: it is written once more on a fresh connection — safe, as a batch that did
    commit is settled by its keys as replays — before its answers are refused.
    """
    try:
        return _write_or_each(batch)
    except Exception:
        connection.close()  # a fresh connection for the second attempt
    try:
        return _write_or_each(batch)
    except Exception as exc:  # the database is down or full: every answer here fails
        log.exception("writing %d answers failed", len(batch))
        connection.close()  # the next batch reconnects
        return [exc] * len(batch)


def _write_or_each(batch: Sequence[Pending]) -> Sequence[Stored | Exception]:
    try:
        return write_batch(batch)
    except IntegrityError:
        return write_each(batch)


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
        results = write_settled(batch)
        self.batches += 1
        self.written += sum(isinstance(r, Stored) and r.outcome == "stored" for r in results)
        # one wake-up per event loop and batch, not one per answer (each is a system call)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Stored], Any]]] = {}
        for (_, future, loop), result in zip(waiting, results, strict=True):
            by_loop.setdefault(loop, []).append((future, result))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[asyncio.Future[Stored], Stored | Exception]]) -> None:
    for future, result in settled:
        if future.done():
            continue
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)
