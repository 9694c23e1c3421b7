"""The analytics store: a DuckDB file of answers, one wide table per campaign.

Answers are read from the main database as Arrow — from PostgreSQL through ADBC, from
SQLite through Django's own connection (see ``_sqlite_arrow``) — and kept in DuckDB, where the index engine scans them.
The sync is incremental: it takes the rows changed since the last sync (new answers and
review decisions), so a new batch of answers costs what the batch costs, not what the
campaign costs. The store is a cache: deleting it only means the next sync reads all.
"""

from __future__ import annotations

import datetime as dt
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db import connection

from hailong.campaigns.models import Campaign
from hailong.measurement.engine import Engine, Spec
from hailong.measurement.engine.sql import quote
from hailong.measurement.engine.stats import CellStats
from hailong.measurement.instruments import Instrument

# Rows changed this long before the last sync are read again: clocks of several app nodes
# differ a little, and reading a row twice is harmless (it replaces itself).
OVERLAP = dt.timedelta(minutes=5)
STORE_FORMAT = 2  # bump when the layout of the store changes; old stores are rebuilt
UNIT_SPEC = Spec(by=("unit_id",))  # the kept statistics: one cell per unit
LOCAL_OFFSET_HOURS = 7  # Asia/Ho_Chi_Minh has no daylight saving time


@dataclass(frozen=True)
class SyncReport:
    rows: int
    total: int
    seconds: float


def store_path() -> Path:
    return Path(
        getattr(settings, "HAILONG_ANALYTICS_PATH", Path(settings.VAR_DIR) / "analytics.duckdb")
    )


def identity(campaign: Campaign) -> str:
    """What a synced table belongs to: the campaign row (ids can be reused after a reset)
    and its questionnaire version."""
    return f"{campaign.pk}:{campaign.created_at.isoformat()}:{campaign.instrument.digest}"


def table_name(campaign: Campaign) -> str:
    return f"answers_c{campaign.pk}"


def _adbc() -> Any:
    """An ADBC connection to the PostgreSQL database Django uses (the test one under tests)."""
    from urllib.parse import quote as q

    import adbc_driver_postgresql.dbapi

    params = connection.settings_dict
    auth = q(params["USER"] or "") + (":" + q(params["PASSWORD"]) if params["PASSWORD"] else "")
    host = params["HOST"] or "localhost"
    port = f":{params['PORT']}" if params["PORT"] else ""
    uri = f"postgresql://{auth}{'@' if auth else ''}{host}{port}/{q(params['NAME'])}"
    return adbc_driver_postgresql.dbapi.connect(uri, autocommit=True)


COLUMNS = ("id", "unit_id", "service_id", "source", "collection_mode", "filing_channel", "submitted_at",
           "review", "answers", "profile")  # fmt: skip


def _sqlite_arrow(sql: str, params: tuple[Any, ...]) -> pa.Table:
    """Read through Django's own sqlite3 connection.

    Not through ADBC: its driver links a second copy of SQLite, and two copies in one
    process break each other's POSIX locks on the same file (stale reads, "disk I/O
    error", and in the worst case a corrupt database).
    """
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("?", "%s"), params)
        while batch := cursor.fetchmany(20_000):
            for i, values in enumerate(zip(*batch, strict=True)):
                columns[i].extend(values)
    types = [pa.int64(), pa.int64(), pa.int64()] + [pa.string()] * (len(COLUMNS) - 3)
    return pa.table(
        [pa.array(c, t) for c, t in zip(columns, types, strict=True)], names=list(COLUMNS)
    )


def _read_changed(campaign: Campaign, since: dt.datetime | None) -> pa.Table:
    mark = "?" if connection.vendor == "sqlite" else "$1"
    where = f"campaign_id = {int(campaign.pk)}"
    params: tuple[Any, ...] = ()
    if since is not None:
        where += f" AND changed_at >= {mark}"
        stamp = since.astimezone(dt.UTC)
        params = (
            stamp.strftime("%Y-%m-%d %H:%M:%S.%f") if connection.vendor == "sqlite" else stamp,
        )
    submitted = (
        "submitted_at"
        if connection.vendor == "sqlite"
        else "to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    )
    sql = (
        "SELECT id, unit_id, service_id, source, collection_mode, filing_channel, "
        f"CAST({submitted} AS TEXT) AS submitted_at, review, CAST(answers AS TEXT) AS answers, "
        f"CAST(profile AS TEXT) AS profile FROM collection_response WHERE {where}"
    )
    if connection.vendor == "sqlite":
        return _sqlite_arrow(sql, params)
    with _adbc() as conn, conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetch_arrow_table()


def _columns(instrument: Instrument) -> tuple[list[str], list[str]]:
    """Question codes stored as answer columns, and profile codes stored as ``p:<code>``."""
    answers: list[str] = []
    profile: list[str] = []
    for q in instrument.questions():
        if q.scale.type not in ("ordinal", "choice"):
            continue
        (profile if q.role == "profile" else answers).append(q.code)
    return answers, profile


def _path(code: str) -> str:
    return "'$.\"" + code.replace("'", "''").replace('"', '\\"') + "\"'"


class AnswerStore:
    """Open the store, sync a campaign, and hand the engine a relation to scan."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or store_path()
        self.con = duckdb.connect(str(self.path))
        if not self._current():
            # A store written by another version of hailong is a stale cache: start afresh.
            self.con.close()
            for stale in (self.path, self.path.with_name(self.path.name + ".wal")):
                stale.unlink(missing_ok=True)
            self.con = duckdb.connect(str(self.path))
            self.con.execute(f"CREATE TABLE store_meta AS SELECT {STORE_FORMAT} AS format")
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS sync_state (campaign_id BIGINT PRIMARY KEY, "
            "identity VARCHAR, synced_at TIMESTAMPTZ)"
        )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> AnswerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sync(
        self, campaign: Campaign, *, full: bool = False, engine: Engine | None = None
    ) -> SyncReport:
        """Bring the campaign's table up to date with the main database (``full``: reread all).

        With an ``engine``, also keep the campaign's per-unit statistics of accepted answers
        up to date: the changed rows' old statistics are subtracted and their new ones added,
        so the unit, unit-kind and province tables need no rescan (:meth:`unit_stats`).
        """
        started = time.perf_counter()
        instrument = campaign.instrument
        table = table_name(campaign)
        state = self.one(
            "SELECT identity, synced_at FROM sync_state WHERE campaign_id = ?", [campaign.pk]
        )
        since = None
        if (
            not full
            and state is not None
            and state[0] == identity(campaign)
            and self._exists(table)
        ):
            since = state[1] - OVERLAP if state[1] else None
        else:
            self.con.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        synced_at = dt.datetime.now(dt.UTC)
        raw = _read_changed(campaign, since)
        answers, profile = _columns(instrument.to_core())
        cached = (
            self.unit_stats(campaign, state[1])
            if engine is not None and since is not None and state
            else None
        )
        changed = f"(SELECT * FROM {quote(table)} WHERE review = 'accepted' AND response_id IN (SELECT id FROM _hailong_raw)) AS x"
        self.con.register("_hailong_raw", raw)
        try:
            select = self._select(answers, profile)
            if since is None:
                self.con.execute(f"CREATE TABLE {quote(table)} AS {select}")
            elif raw.num_rows:
                old = (
                    engine.cell_stats(self.con, changed, UNIT_SPEC)
                    if cached is not None and engine
                    else None
                )
                self.con.execute(
                    f"DELETE FROM {quote(table)} WHERE response_id IN (SELECT id FROM _hailong_raw)"
                )
                self.con.execute(f"INSERT INTO {quote(table)} {select}")
                if cached is not None and old is not None and engine is not None:
                    new = engine.cell_stats(self.con, changed, UNIT_SPEC)
                    cached = cached.combine(old, -1.0).combine(new)
            if engine is not None:
                if cached is None:
                    accepted = f"(SELECT * FROM {quote(table)} WHERE review = 'accepted') AS x"
                    cached = engine.cell_stats(self.con, accepted, UNIT_SPEC)
                self._save_stats(campaign, cached, synced_at)
        finally:
            self.con.unregister("_hailong_raw")
        self.con.execute(
            "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)",
            [campaign.pk, identity(campaign), synced_at],
        )
        total = self.one(f"SELECT count(*) FROM {quote(table)}")
        return SyncReport(
            rows=raw.num_rows,
            total=int(total[0]) if total else 0,
            seconds=time.perf_counter() - started,
        )

    def _stats_path(self, campaign: Campaign) -> Path:
        return self.path.with_name(f"{self.path.stem}.c{campaign.pk}.stats.pickle")

    def unit_stats(
        self, campaign: Campaign, synced_at: dt.datetime | None = None
    ) -> CellStats | None:
        """The kept per-unit statistics of the campaign's accepted answers, if they were kept
        at the last sync (``synced_at``; by default the state's)."""
        if synced_at is None:
            state = self.one(
                "SELECT synced_at FROM sync_state WHERE campaign_id = ?", [campaign.pk]
            )
            synced_at = state[0] if state else None
        path = self._stats_path(campaign)
        if not path.exists():
            return None
        with path.open("rb") as handle:
            kept = pickle.load(handle)  # noqa: S301 - our own cache file in var/
        if (kept.get("identity"), kept.get("format"), kept.get("synced_at")) != (
            identity(campaign),
            STORE_FORMAT,
            synced_at,
        ):
            return None
        stats: CellStats = kept["stats"]
        return stats

    def _save_stats(self, campaign: Campaign, stats: CellStats, synced_at: dt.datetime) -> None:
        path = self._stats_path(campaign)
        partial = path.with_suffix(".tmp")
        kept = {
            "identity": identity(campaign),
            "format": STORE_FORMAT,
            "synced_at": synced_at,
            "stats": stats,
        }
        with partial.open("wb") as handle:
            pickle.dump(kept, handle)
        partial.replace(path)  # atomic: a reader sees the old file or the new one

    def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query, reading the result to its end (DuckDB 2 requires it)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    def _current(self) -> bool:
        if not self._exists("store_meta"):
            return False
        row = self.one("SELECT max(format) FROM store_meta")
        return bool(row and row[0] == STORE_FORMAT)

    def _exists(self, table: str) -> bool:
        found = self.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        )
        return bool(found and found[0])

    @staticmethod
    def _select(answers: list[str], profile: list[str]) -> str:
        cols = [
            "id AS response_id",
            "unit_id",
            "service_id",
            "source",
            "collection_mode",
            "filing_channel",
            "review",
            "strftime(CAST(submitted_at AS TIMESTAMP) + INTERVAL "
            f"{LOCAL_OFFSET_HOURS} HOUR, '%Y-%m') AS month",
        ]
        cols += [
            f"TRY_CAST(json_extract_string(answers, {_path(c)}) AS SMALLINT) AS {quote(c)}"
            for c in answers
        ]
        cols += [
            f"TRY_CAST(json_extract_string(profile, {_path(c)}) AS SMALLINT) AS {quote('p:' + c)}"
            for c in profile
        ]
        return f"SELECT {', '.join(cols)} FROM _hailong_raw"
