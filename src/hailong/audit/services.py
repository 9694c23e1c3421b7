"""Appending to the audit log; the only write there is."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from hailong.accounts.models import User
from hailong.units.models import Unit

from .chain import GENESIS, plain
from .models import AuditEntry

# Any constant works; it only has to be the same for every writer ("hailong" in ASCII, folded).
ADVISORY_LOCK = 0x6861696C6F6E67


def _chain_lock() -> None:
    """Serialise appends so two writers cannot both chain onto the same last entry.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback. SQLite:
    the write lock that ``BEGIN IMMEDIATE`` (settings: transaction_mode) already holds.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "",
    obj: Model | None = None,
    unit: Unit | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry inside the caller's transaction: if it rolls back, so does the entry."""
    if actor is not None and not actor.pk:
        actor = None
    label = actor_label or (actor.get_username() if actor is not None else "hailong")
    with transaction.atomic():
        _chain_lock()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = AuditEntry(
            seq=seq,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_label=label[:150],
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_label=str(obj)[:255] if obj is not None else "",
            unit_id=unit.pk if unit is not None else None,
            reason=reason,
            data=plain(data or {}),
            prev_hash=prev_hash,
        )
        entry.hash = entry.computed_hash()
        entry.save(force_insert=True)
    return entry
