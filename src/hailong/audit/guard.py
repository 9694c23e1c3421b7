"""Database triggers that refuse UPDATE and DELETE on the audit table (and TRUNCATE on
PostgreSQL), so the log stays append-only even for code that bypasses the ORM.

Someone with the rights to drop a trigger can still edit rows; ``audit_verify`` then names the
first entry whose hash no longer matches. ``flush`` lifts the guard for its own run only
(audit/management/commands/flush.py), as it empties every table.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"
MESSAGE = "Nhật ký kiểm toán chỉ được ghi thêm / the audit log is append-only"

POSTGRES_ON = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()""",
]
POSTGRES_OFF = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]
SQLITE_ON = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_OFF = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]


def statements(vendor: str, *, on: bool) -> list[str]:
    """The SQL that puts the guard on (or takes it off) for this database vendor."""
    if vendor == "postgresql":
        return POSTGRES_ON if on else POSTGRES_OFF
    if vendor == "sqlite":
        return SQLITE_ON if on else SQLITE_OFF
    return []


def guard_set(connection: Any, *, on: bool) -> None:
    """Put the guard on the audit table, or take it off."""
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, on=on):
            cursor.execute(sql)
