"""Creating invitation codes in bulk, all or nothing and idempotent by (campaign, file number).

The same rows feed it from a CSV/XLSX upload and from the API: a sequence of (row number,
mapping) pairs with the columns of :data:`COLUMNS`. Every row is checked before anything
is written; any problem refuses the whole batch with the row and column named.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.core.formats import date_vn
from hailong.core.imports import ImportRejected, Problem, text
from hailong.integrations.models import ApiKey
from hailong.units.models import Service, Unit

from .codes import code_new
from .models import InvitationCode

COLUMNS = ("file_number", "unit_code", "service_code", "completed_on", "expires_on")
REQUIRED = ("file_number", "unit_code", "completed_on")
MAX_ROWS = 5000


class OutsideScope(ImportRejected):
    """Rows name units the caller may not act for (the API answers 403)."""


@dataclass(frozen=True)
class Planned:
    """A checked row: the code it already has (``existing``) or the one it will get."""

    row: int
    file_number: str
    unit: Unit
    service: Service | None
    completed_on: dt.date
    expires_on: dt.date
    existing: InvitationCode | None


def expiry_default(completed_on: dt.date) -> dt.date:
    """Completion date plus ``HAILONG_INVITATION_DAYS`` (30 unless set)."""
    return completed_on + dt.timedelta(days=int(getattr(settings, "HAILONG_INVITATION_DAYS", 30)))


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a date, ``2025-03-04`` or ``04/03/2025``; None if it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def invitations_plan(
    *,
    campaign: Campaign,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    units_allowed: QuerySet[Unit] | None = None,
    today: dt.date | None = None,
    source: str = "",
) -> list[Planned]:
    """Check every row (a dry run); raise :class:`ImportRejected` listing each problem."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    if campaign.status in (Campaign.Status.CLOSED, Campaign.Status.PUBLISHED):
        problems.append(
            Problem(
                0,
                "",
                f"đợt khảo sát '{campaign.code}' đã kết thúc",
                f"campaign '{campaign.code}' is closed",
            )
        )
    if not rows:
        problems.append(Problem(0, "", "không có dòng nào", "there is no row"))
    if len(rows) > MAX_ROWS:
        problems.append(
            Problem(0, "", f"quá {MAX_ROWS} dòng một lần", f"more than {MAX_ROWS} rows at once")
        )
    if problems:
        raise ImportRejected(source, problems)
    cells = [(n, {c: text(r.get(c)) for c in COLUMNS}, r) for n, r in rows]
    units = {u.code: u for u in Unit.objects.filter(code__in={c["unit_code"] for _, c, _ in cells})}
    in_campaign = set(campaign.scope.values_list("unit_id", flat=True))
    allowed = (
        None
        if units_allowed is None
        else set(
            units_allowed.filter(pk__in=[u.pk for u in units.values()]).values_list("pk", flat=True)
        )
    )
    services = {
        s.code: s for s in Service.objects.filter(code__in={c["service_code"] for _, c, _ in cells})
    }
    delivering: dict[int, set[int]] = {}
    for service_id, unit_id in Service.units.through.objects.filter(
        service_id__in=[s.pk for s in services.values()]
    ).values_list("service_id", "unit_id"):
        delivering.setdefault(service_id, set()).add(unit_id)
    existing = {
        i.file_number: i
        for i in InvitationCode.objects.filter(
            campaign=campaign, file_number__in={c["file_number"] for _, c, _ in cells}
        )
    }
    seen: dict[str, int] = {}
    outside = False
    planned: list[Planned] = []
    for row_no, cell, raw in cells:
        count = len(problems)

        def refuse(column: str, vi: str, en: str, row_no: int = row_no) -> None:
            problems.append(Problem(row_no, column, vi, en))

        for column in REQUIRED:
            if not cell[column]:
                refuse(column, "ô trống", "the cell is empty")
        number = cell["file_number"]
        if len(number) > 64:
            refuse(
                "file_number", "mã hồ sơ dài quá 64 ký tự", "the file number is over 64 characters"
            )
        if number and number in seen:
            refuse(
                "file_number",
                f"mã hồ sơ '{number}' trùng với dòng {seen[number]}",
                f"file number '{number}' repeats row {seen[number]}",
            )
        seen.setdefault(number, row_no)
        unit = units.get(cell["unit_code"])
        if cell["unit_code"] and unit is None:
            refuse(
                "unit_code",
                f"không có đơn vị mã '{cell['unit_code']}'",
                f"there is no unit with code '{cell['unit_code']}'",
            )
        elif unit is not None and unit.pk not in in_campaign:
            refuse(
                "unit_code",
                f"đơn vị '{unit.code} – {unit.name}' không thuộc đợt khảo sát",
                f"unit '{unit.code} – {unit.name}' is not in the campaign's scope",
            )
        elif unit is not None and allowed is not None and unit.pk not in allowed:
            outside = True
            refuse(
                "unit_code",
                f"không được tạo mã cho đơn vị '{unit.code} – {unit.name}'",
                f"you may not create codes for unit '{unit.code} – {unit.name}'",
            )
        service = services.get(cell["service_code"])
        if cell["service_code"] and service is None:
            refuse(
                "service_code",
                f"không có thủ tục mã '{cell['service_code']}'",
                f"there is no procedure with code '{cell['service_code']}'",
            )
        elif (
            service is not None
            and unit is not None
            and service.pk in delivering
            and unit.pk not in delivering[service.pk]
        ):
            refuse(
                "service_code",
                f"đơn vị '{unit.code}' không thực hiện thủ tục '{service.code}'",
                f"unit '{unit.code}' does not deliver procedure '{service.code}'",
            )
        completed = parse_date(raw.get("completed_on"))
        if cell["completed_on"] and completed is None:
            refuse(
                "completed_on",
                f"ngày '{cell['completed_on']}' không đúng dạng (2025-03-04 hoặc 04/03/2025)",
                f"date '{cell['completed_on']}' is not valid (2025-03-04 or 04/03/2025)",
            )
        elif completed is not None and completed > today:
            refuse(
                "completed_on",
                f"ngày {date_vn(completed)} chưa tới",
                f"the date {date_vn(completed)} is in the future",
            )
        elif (
            completed is not None and not campaign.period_start <= completed <= campaign.period_end
        ):
            period = f"{date_vn(campaign.period_start)}–{date_vn(campaign.period_end)}"
            refuse(
                "completed_on",
                f"ngày {date_vn(completed)} nằm ngoài đợt khảo sát ({period})",
                f"the date {date_vn(completed)} is outside the campaign period ({period})",
            )
        expires = parse_date(raw.get("expires_on")) if cell["expires_on"] else None
        if cell["expires_on"] and expires is None:
            refuse(
                "expires_on",
                f"ngày '{cell['expires_on']}' không đúng dạng (2025-03-04 hoặc 04/03/2025)",
                f"date '{cell['expires_on']}' is not valid (2025-03-04 or 04/03/2025)",
            )
        elif expires is not None and completed is not None and expires < completed:
            refuse(
                "expires_on",
                "hạn dùng mã sớm hơn ngày trả kết quả",
                "the code would expire before the result was handed over",
            )
        before = existing.get(number)
        if (
            before is not None
            and unit is not None
            and completed is not None
            and (
                (before.unit_id, before.service_id, before.completed_on)
                != (unit.pk, service.pk if service else None, completed)
            )
        ):
            refuse(
                "file_number",
                f"hồ sơ '{number}' đã có mã với đơn vị, thủ tục hoặc ngày khác",
                f"file '{number}' already has a code with another unit, procedure or date",
            )
        if len(problems) == count and unit is not None and completed is not None:
            planned.append(
                Planned(
                    row_no,
                    number,
                    unit,
                    service,
                    completed,
                    expires or expiry_default(completed),
                    before,
                )
            )
    if problems:
        raise (OutsideScope if outside else ImportRejected)(source, problems)
    return planned


def invitations_create(
    *,
    campaign: Campaign,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    created_by: User | None = None,
    created_by_key: ApiKey | None = None,
    units_allowed: QuerySet[Unit] | None = None,
    today: dt.date | None = None,
    source: str = "",
    batch: str = "",
) -> list[InvitationCode]:
    """Create a code for every row, or none; a file number seen before returns its code.

    The codes come back in row order; the new ones share the ``batch`` id (given or drawn).
    """
    batch = batch or secrets.token_hex(8)
    for attempt in range(3):
        plan = invitations_plan(
            campaign=campaign, rows=rows, units_allowed=units_allowed, today=today, source=source
        )
        new = [
            InvitationCode(
                code=code_new(),
                campaign=campaign,
                unit=p.unit,
                service=p.service,
                file_number=p.file_number,
                completed_on=p.completed_on,
                expires_on=p.expires_on,
                batch=batch,
                created_by=created_by,
                created_by_key=created_by_key,
            )
            for p in plan
            if p.existing is None
        ]
        try:
            with transaction.atomic():
                InvitationCode.objects.bulk_create(new)
        except IntegrityError:
            # Another writer created one of these file numbers (or, very rarely, drew the
            # same random code) meanwhile: check again, so its codes are returned as existing.
            if attempt == 2:
                raise
            continue
        made = iter(new)
        return [p.existing or next(made) for p in plan]
    raise AssertionError("unreachable")  # pragma: no cover
