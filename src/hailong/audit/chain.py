"""The hash recipe of the audit chain, written out so it can be checked without Django.

``hash = sha256(canonical JSON of every field except hash)``; canonical JSON has sorted keys,
no spaces, UTF-8 text (not ``\\u`` escapes) and datetimes as ISO 8601 UTC with microseconds
(``2026-03-01T02:03:04.000005Z``). docs/audit.md gives the same recipe for outsiders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "unit_id",
    "reason",
    "data",
    "prev_hash",
)


def moment(value: dt.datetime) -> str:
    """``2026-03-01T02:03:04.000005Z``: always UTC, always six decimals."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """``value`` as JSON that reads back identical from SQLite and PostgreSQL (jsonb).

    Datetimes become canonical text, decimals and UUIDs text; floats of 1e16 and more become
    integers because jsonb prints them without an exponent; NaN and infinities are refused.
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit data cannot hold {value!r}")
        return int(value) if abs(value) >= 1e16 else value
    if isinstance(value, dt.datetime):
        return moment(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | Decimal | UUID):
        return str(value)
    raise TypeError(f"audit data cannot hold a {type(value).__name__}")


def canonical(fields: dict[str, Any]) -> str:
    """The text that is hashed: sorted keys, no spaces, UTF-8, datetimes in canonical form."""
    ready = {k: moment(v) if isinstance(v, dt.datetime) else v for k, v in fields.items()}
    return json.dumps(ready, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(fields: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of ``fields`` (UTF-8)."""
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()
