"""Reading paper batches: who may type for which unit, and where each sheet stands."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.measurement.instruments import Instrument
from hailong.units.models import Unit

from .models import PaperBatch, PaperEntry, PaperResolution

#: Roles that may type paper forms and import answer files for the units they hold.
ENTRY_ROLES: tuple[str, ...] = (Role.CLERK, Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMINISTRATOR)
#: Roles that read batches, sheets and mismatches: auditors read everything, change nothing (#5).
READ_ROLES: tuple[str, ...] = (*ENTRY_ROLES, Role.AUDITOR)
#: Roles that may settle a double-entry mismatch even when they typed one of its copies.
SETTLE_ANY_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.ADMINISTRATOR)
#: The pseudo-question under which a difference in the procedure code is listed.
SERVICE = "_procedure"


def entry_units(*, user: User) -> QuerySet[Unit]:
    """Units the user may type or import answers for."""
    return units_in_scope(user=user, roles=ENTRY_ROLES)


def read_units(*, user: User) -> QuerySet[Unit]:
    """Units whose batches the user may read."""
    return units_in_scope(user=user, roles=READ_ROLES)


def may_read(*, user: User, unit: Unit) -> bool:
    return read_units(user=user).filter(pk=unit.pk).exists()


def may_change(*, user: User, unit: Unit) -> bool:
    """Typing, importing, settling and closing: the entry roles, never an auditor's."""
    return entry_units(user=user).filter(pk=unit.pk).exists()


#: The older name of :func:`may_change`.
entry_allowed = may_change


def open_campaigns(*, user: User) -> QuerySet[Campaign]:
    """Open campaigns with at least one unit the user may type for."""
    return (
        Campaign.objects.filter(status=Campaign.Status.OPEN, scope__unit__in=entry_units(user=user))
        .distinct()
        .select_related("instrument")
    )


def batch_list(*, user: User) -> QuerySet[PaperBatch]:
    return PaperBatch.objects.filter(unit__in=read_units(user=user)).select_related(
        "campaign", "unit", "created_by"
    )


@dataclass
class SheetState:
    """One sheet of a batch: its typed copies, its resolution, whether it is stored."""

    number: int
    copies: list[PaperEntry] = field(default_factory=list)
    resolution: PaperResolution | None = None
    stored: bool = False

    @property
    def mismatched(self) -> bool:
        return len(self.copies) == 2 and self.copies[0].content() != self.copies[1].content()

    @property
    def status(self) -> str:
        if self.stored:
            return "stored"
        if self.mismatched and self.resolution is None:
            return "mismatch"
        return "waiting"


def batch_sheets(*, batch: PaperBatch) -> dict[int, SheetState]:
    """Every sheet of the batch with at least one copy, by number."""
    sheets: dict[int, SheetState] = {}
    for entry in batch.entries.select_related("clerk", "service").order_by("entered_at", "pk"):
        sheets.setdefault(entry.sheet_number, SheetState(entry.sheet_number)).copies.append(entry)
    for resolution in batch.resolutions.select_related("resolved_by"):
        if resolution.sheet_number in sheets:
            sheets[resolution.sheet_number].resolution = resolution
    keys = {batch.key(n): n for n in sheets}
    for key in Response.objects.filter(idempotency_key__in=keys).values_list(
        "idempotency_key", flat=True
    ):
        sheets[keys[key]].stored = True
    return dict(sorted(sheets.items()))


@dataclass(frozen=True)
class BatchProgress:
    expected: int
    entered: int
    matched: int
    mismatched: int
    resolved: int
    stored: int


def batch_progress(*, batch: PaperBatch, sheets: dict[int, SheetState]) -> BatchProgress:
    def identical(s: SheetState) -> bool:
        return len(s.copies) == 2 and not s.mismatched

    return BatchProgress(
        expected=batch.expected_sheets,
        entered=len(sheets),
        matched=sum(identical(s) for s in sheets.values()),
        mismatched=sum(s.status == "mismatch" for s in sheets.values()),
        resolved=sum(s.resolution is not None for s in sheets.values()),
        stored=sum(s.stored for s in sheets.values()),
    )


def next_sheet(*, batch: PaperBatch, clerk: User, sheets: dict[int, SheetState]) -> int | None:
    """The first sheet that still needs a copy from this clerk; None when there is none."""
    needed = 2 if batch.double_entry else 1
    for number in range(1, batch.expected_sheets + 1):
        state = sheets.get(number)
        if state is None:
            return number
        if len(state.copies) < needed and all(c.clerk_id != clerk.pk for c in state.copies):
            return number
    return None


def sheet_differences(instrument: Instrument, first: PaperEntry, second: PaperEntry) -> list[str]:
    """Question codes (in questionnaire order) on which two copies differ."""
    one = {**first.answers, **first.profile}
    two = {**second.answers, **second.profile}
    codes = [q.code for q in instrument.questions() if one.get(q.code) != two.get(q.code)]
    if first.service_id != second.service_id:
        codes.append(SERVICE)
    return codes


def may_settle(*, user: User, batch: PaperBatch, copies: list[PaperEntry]) -> bool:
    """A third person, or a coordinator, settles a mismatch; never a clerk who typed a copy."""
    if not entry_allowed(user=user, unit=batch.unit):
        return False
    if all(c.clerk_id != user.pk for c in copies):
        return True
    return units_in_scope(user=user, roles=SETTLE_ANY_ROLES).filter(pk=batch.unit_id).exists()
