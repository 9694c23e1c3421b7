"""Reading cases: who sees which, the public views (masked), and per-unit figures."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.comments import mask
from hailong.units.models import Unit

from .deadlines import Calendar
from .models import OPEN_STATUSES, Case, Holiday

# Who opens the staff case screens: clerks enter answers and viewers read results, neither
# reads what citizens wrote to a unit; auditors read everything and change nothing.
READERS: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.UNIT_MANAGER, Role.AUDITOR)
HANDLERS: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.UNIT_MANAGER)
COORDINATORS: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR)


def calendar_load() -> Calendar:
    """The province's holidays and worked weekend days, in one query: load once per call site."""
    off: set[dt.date] = set()
    worked: set[dt.date] = set()
    for day, is_worked in Holiday.objects.values_list("day", "working_day"):
        (worked if is_worked else off).add(day)
    return Calendar(days_off=frozenset(off), worked=frozenset(worked))


# Tết always falls between 21 January and 20 February; with the days around it its holidays
# stay within 15 January to 28 February, where no other public holiday is.
TET_WINDOW = ((1, 15), (2, 28))


def tet_missing(today: dt.date | None = None) -> bool:
    """True when the coming 12 months hold no day off in Tết's window: Tết was not entered."""
    today = today or timezone.localdate()
    (m1, d1), (m2, d2) = TET_WINDOW
    days = Holiday.objects.filter(
        working_day=False, day__gte=today, day__lt=today + dt.timedelta(days=365)
    ).values_list("day", flat=True)
    return not any((m1, d1) <= (d.month, d.day) <= (m2, d2) for d in days)


def holidays_may_change(*, user: User) -> bool:
    """Holidays are province-wide: administrators and coordinators of the whole province."""
    return units_in_scope(user=user, roles=COORDINATORS).filter(parent__isnull=True).exists()


def holidays_may_read(*, user: User) -> bool:
    """Those who change them, and auditors of the whole province, who change nothing."""
    return (
        holidays_may_change(user=user)
        or units_in_scope(user=user, roles=(Role.AUDITOR,)).filter(parent__isnull=True).exists()
    )


def cases_visible(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(unit__in=units_in_scope(user=user, roles=READERS))


def case_may(*, user: User, case: Case, roles: tuple[str, ...]) -> bool:
    return units_in_scope(user=user, roles=roles).filter(pk=case.unit_id).exists()


def case_is_overdue(case: Case, today: dt.date | None = None) -> bool:
    return case.is_open and case.due_on < (today or timezone.localdate())


def masked(text: str) -> str:
    """The text with names, phones, e-mails and ID numbers replaced: for anything public.

    Masked whole (a name or a number may run over a line break: "anh\nTrần Văn Bình"), then
    laid out again on the text's own line breaks, so that a letter keeps its paragraphs. The
    words shown are always exactly the masked text's; only the spaces between them come back.
    """
    pieces = re.split(r"(\s+)", unicodedata.normalize("NFC", text).strip())
    words, gaps = pieces[::2], [*pieces[1::2], ""]
    hidden = mask(" ".join(words)).text.split(" ")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=words, b=hidden, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out += [w + g for w, g in zip(words[a0:a1], gaps[a0:a1], strict=True)]
            continue
        span = gaps[a0:a1]  # the gaps inside and after the words that were replaced
        after = span[-1] if span else " "
        if "\n" not in after and any("\n" in g for g in span):
            after = "\n"  # a line break inside a hidden name stays a line break
        out.append(" ".join(hidden[b0:b1]) + after if b1 > b0 else after)
    return "".join(out).strip()


def cases_published() -> QuerySet[Case]:
    return (
        Case.objects.filter(published=True, status__in=(Case.Status.ANSWERED, Case.Status.CLOSED))
        .select_related("unit")
        .order_by("-answered_at")
    )


@dataclass(frozen=True)
class UnitCaseStats:
    """A unit's handling of cases: the inside view of factor 5 (feedback and complaints)."""

    received: int
    answered: int
    on_time: int
    open_overdue: int
    mean_days: float | None

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.answered if self.answered else None


def unit_case_stats(
    *, units: QuerySet[Unit] | list[Unit], since: dt.date | None = None
) -> UnitCaseStats:
    """Cases received by ``units`` since ``since`` (default: the last 365 days).

    On time: answered on or before the due day. Days to answer are calendar days from
    receipt to the (latest) answer.
    """
    today = timezone.localdate()
    since = since or today - dt.timedelta(days=365)
    rows = list(
        Case.objects.filter(unit__in=units, received_at__date__gte=since).values_list(
            "status", "received_at", "answered_at", "due_on"
        )
    )
    answered = [(r, a, d) for s, r, a, d in rows if a is not None]
    on_time = sum(1 for _, a, d in answered if timezone.localtime(a).date() <= d)
    days = [(a - r).total_seconds() / 86400 for r, a, _ in answered]
    overdue = sum(1 for s, _, _, d in rows if s in OPEN_STATUSES and d < today)
    return UnitCaseStats(
        received=len(rows),
        answered=len(answered),
        on_time=on_time,
        open_overdue=overdue,
        mean_days=sum(days) / len(days) if days else None,
    )
