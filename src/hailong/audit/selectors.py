"""Reading the audit log: who sees which entries, searching, and checking the chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope

from .chain import GENESIS, moment
from .models import AuditEntry

SEE_ALL = (Role.AUDITOR, Role.ADMINISTRATOR, Role.COORDINATOR)
READ_UNITS = (*SEE_ALL, Role.UNIT_MANAGER)


def entries_visible(*, user: User) -> QuerySet[AuditEntry] | None:
    """The entries ``user`` may read, or None when they may read none.

    Auditors, administrators and coordinators of the whole province read everything. The same
    roles held over a unit subtree, and unit managers, read only the entries about units in
    their subtrees: least privilege per unit, so unit A's staff never read unit B's changes.
    Province-wide entries (no unit) cannot be attributed to a unit and stay with the first.
    """
    if not user.is_active:
        return None
    if sees_all(user=user):
        return AuditEntry.objects.all()
    if not user.roles.filter(role__in=READ_UNITS).exists():
        return None
    return AuditEntry.objects.filter(unit__in=units_in_scope(user=user, roles=READ_UNITS))


def sees_all(*, user: User) -> bool:
    """Whether ``user`` reads the whole log (and so may check the whole chain)."""
    return user.is_active and (
        user.is_superuser or user.roles.filter(role__in=SEE_ALL, unit__isnull=True).exists()
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def entries_search(
    entries: QuerySet[AuditEntry],
    *,
    action: str = "",
    actor: str = "",
    obj: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Narrow ``entries``: action prefix, actor name, object type/id/label, days (local time,
    both ends included) and words in the reason."""
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if obj:
        entries = entries.filter(
            Q(object_label__icontains=obj) | Q(object_type__icontains=obj) | Q(object_id=obj)
        )
    if since:
        entries = entries.filter(at__gte=_day_start(since))
    if until:
        entries = entries.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    if text:
        entries = entries.filter(reason__icontains=text)
    return entries


def actions_known(entries: QuerySet[AuditEntry]) -> list[str]:
    """The action names among ``entries``, for the search form's list."""
    return list(entries.order_by("action").values_list("action", flat=True).distinct())


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    first_broken: int | None = None
    reason: str = ""
    last_hash: str = GENESIS

    def text(self) -> str:
        """One line, Vietnamese then English."""
        if self.ok:
            return f"OK: {self.checked} mục / entries; mã băm cuối / last hash {self.last_hash}"
        return f"BROKEN at entry #{self.first_broken}: {self.reason}"


def audit_verify() -> VerifyReport:
    """Recompute every hash in order; name the first entry that is missing, unlinked or altered."""
    expected, prev, checked = 1, GENESIS, 0
    rows = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    for entry in rows:
        problem = _problem(entry, expected, prev)
        if problem is not None:
            seq, reason = problem
            return VerifyReport(False, checked, seq, reason, prev)
        checked, expected, prev = checked + 1, entry.seq + 1, entry.hash
    return VerifyReport(True, checked, None, "", prev)


def _problem(entry: AuditEntry, expected: int, prev: str) -> tuple[int, str] | None:
    if entry.seq != expected:
        return expected, (
            f"mục #{expected} bị thiếu (đã bị xóa?) / entry #{expected} is missing (deleted?)"
        )
    if entry.prev_hash != prev:
        return entry.seq, (
            "mã băm trước không khớp mục liền trước / "
            "its previous hash does not match the entry before it"
        )
    if entry.computed_hash() != entry.hash:
        return entry.seq, (
            "nội dung đã bị sửa: mã băm không khớp / its contents were changed: the hash does not match"
        )
    return None


def export_fields(entry: AuditEntry) -> dict[str, Any]:
    """An entry as exported: the hashed fields, in their canonical form, and the hash."""
    fields = entry.chained_fields()
    fields["at"] = moment(entry.at)
    fields["hash"] = entry.hash
    return fields
