"""Importing answer files: a filled template, or an ODK / KoboToolbox export.

:func:`upload_preview` reads and checks a file and says what committing it would do, writing
nothing; :func:`upload_commit` does the same checks again and stores every row or none.
The uploaded bytes are kept under ``var/uploads/`` named by their SHA-256, so the commit reads
exactly the file that was previewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.collection.models import CollectionMode, Response
from hailong.collection.services import (
    ConflictingAnswer,
    ImportReport,
    Incoming,
    UnitNotValid,
    responses_import,
    split_profile,
    submission_time,
)
from hailong.core.imports import ImportRejected, Problem
from hailong.measurement.xlsform import SubmissionError, read_submissions
from hailong.units.models import Service, Unit

from .answers import Refused, answers_for_storage, date_parse, sheet_read
from .files import DATE, PROCEDURE, SHEET_ID, UNIT, is_xlsx, template_read
from .selectors import entry_units

FORMATS = ("template", "odk")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_SHEET_ID = re.compile(r"^[\w./-]{1,40}$")
KEEP_SECONDS = 24 * 3600


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def upload_keep(*, data: bytes) -> str:
    """Keep an uploaded file for its commit; return its SHA-256. Files a day old are dropped."""
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    (folder / f"{digest}.upload").write_bytes(data)
    return digest


def upload_bytes(*, digest: str) -> bytes | None:
    """The kept file with this SHA-256, or None (unknown, expired, or not a digest at all)."""
    if not _DIGEST.match(digest):
        return None
    path = uploads_dir() / f"{digest}.upload"
    return path.read_bytes() if path.exists() else None


@dataclass
class Preview:
    """What committing a file would do."""

    rows_read: int = 0
    already: int = 0
    problems: list[Problem] = field(default_factory=list)
    batches: dict[int, tuple[Unit, list[Incoming]]] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)  # key -> row in the file

    @property
    def to_store(self) -> int:
        return sum(len(items) for _, items in self.batches.values()) - self.already


def _unit_problem(
    unit: Unit | None, code: str, campaign: Campaign, allowed: set[int]
) -> tuple[str, str] | None:
    if unit is None:
        return f"không có đơn vị mã '{code}'", f"there is no unit with code '{code}'"
    if unit.pk not in allowed:
        return (
            f"đơn vị {code} không thuộc phạm vi của bạn",
            f"unit {code} is outside the units you hold",
        )
    if not campaign.scope.filter(unit=unit).exists():
        return (
            f"đơn vị {code} không thuộc đợt khảo sát '{campaign.code}'",
            f"unit {code} is not in campaign '{campaign.code}'",
        )
    return None


def _template_rows(
    preview: Preview, campaign: Campaign, user: User, data: bytes, digest: str
) -> None:
    instrument = campaign.instrument.to_core()
    rows, preview.problems = template_read(instrument, data)
    preview.rows_read = len(rows)
    allowed = set(entry_units(user=user).values_list("pk", flat=True))
    units = {u.code: u for u in Unit.objects.filter(code__in={r.cells.get(UNIT) for r in rows})}
    services = {
        s.code: s for s in Service.objects.filter(code__in={r.cells.get(PROCEDURE) for r in rows})
    }
    tz = ZoneInfo(settings.TIME_ZONE)
    first_row_of: dict[str, int] = {}
    for row in rows:
        problems: list[Problem] = []

        def problem(
            column: str, vi: str, en: str, *, at: list[Problem] = problems, number: int = row.row
        ) -> None:
            at.append(Problem(number, column, vi, en))

        code = row.cells.get(UNIT, "")
        unit = units.get(code)
        if not code:
            problem(UNIT, "thiếu mã đơn vị", "the unit code is missing")
        elif (wrong := _unit_problem(unit, code, campaign, allowed)) is not None:
            problem(UNIT, *wrong)
        service = services.get(row.cells.get(PROCEDURE, ""))
        if row.cells.get(PROCEDURE) and service is None:
            problem(PROCEDURE, "mã thủ tục không có trong danh mục", "unknown procedure code")
        submitted = None
        if row.cells.get(DATE):
            try:
                day = dt.date.fromisoformat(date_parse(row.cells[DATE]))
                submitted = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
            except Refused as refusal:
                problem(DATE, refusal.vi, refusal.en)
            if submitted is not None and submitted.date() > timezone.localdate():
                problem(DATE, "ngày trả lời ở tương lai", "the answer date is in the future")
                submitted = None
        if unit is not None and (
            late := unit.validity_problem(submitted.date() if submitted else timezone.localdate())
        ):
            problem(DATE if submitted else UNIT, *late)
        sheet_id = row.cells.get(SHEET_ID, "")
        if sheet_id and not _SHEET_ID.match(sheet_id):
            problem(
                SHEET_ID, "mã phiếu tối đa 40 chữ, số, . / -", "at most 40 letters, digits, . / -"
            )
        elif sheet_id in first_row_of:
            problem(
                SHEET_ID,
                f"mã phiếu trùng với dòng {first_row_of[sheet_id]}",
                f"the sheet ID repeats row {first_row_of[sheet_id]}",
            )
        elif sheet_id:
            first_row_of[sheet_id] = row.row
        values, answer_problems = sheet_read(instrument, row.cells)
        for p in answer_problems:
            problem(p.code, p.message_vi, p.message_en)
        preview.problems += problems
        if problems or unit is None:
            continue
        answers, profile = split_profile(instrument, answers_for_storage(instrument, values))
        key = (
            f"tep-{campaign.pk}-{sheet_id}"
            if sheet_id
            else f"tep-{campaign.pk}-{digest[:16]}-{row.row}"
        )
        incoming = Incoming(
            key=key, submitted_at=submitted, answers=answers, profile=profile, service=service
        )
        preview.batches.setdefault(unit.pk, (unit, []))[1].append(incoming)
        preview.row_of[key] = row.row


def _odk_rows(
    preview: Preview, campaign: Campaign, user: User, data: bytes, unit: Unit | None
) -> None:
    if unit is None:
        preview.problems.append(
            Problem(0, "", "chọn đơn vị cho tệp ODK/Kobo", "choose the unit of the ODK/Kobo file")
        )
        return
    wrong = _unit_problem(
        unit, unit.code, campaign, set(entry_units(user=user).values_list("pk", flat=True))
    )
    if wrong is not None:
        preview.problems.append(Problem(0, "", *wrong))
        return
    try:
        submissions = read_submissions(
            campaign.instrument.to_core(), io.BytesIO(data), fmt="xlsx" if is_xlsx(data) else "csv"
        )
    except SubmissionError as exc:
        preview.problems += [Problem(*p) for p in exc.problems]
        return
    preview.rows_read = len(submissions)
    preview.row_of = {f"odk:{s.instance_id}": s.row for s in submissions}
    preview.batches[unit.pk] = (
        unit,
        [
            Incoming(
                key=f"odk:{s.instance_id}",
                submitted_at=submission_time(s.submitted_at),
                answers=s.answers,
            )
            for s in submissions
        ],
    )


def upload_preview(
    *, user: User, campaign: Campaign, data: bytes, fmt: str, unit: Unit | None = None
) -> Preview:
    """Check a file and count what a commit would store; nothing is written."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    preview = Preview()
    if fmt == "template":
        _template_rows(preview, campaign, user, data, hashlib.sha256(data).hexdigest())
    else:
        _odk_rows(preview, campaign, user, data, unit)
    items = {i.key: i for _, batch in preview.batches.values() for i in batch}
    for stored in Response.objects.filter(idempotency_key__in=items).only(
        "idempotency_key", "answers", "profile"
    ):
        item = items[stored.idempotency_key]
        if {**stored.answers, **stored.profile} == {**item.profile, **item.answers}:
            preview.already += 1
        else:
            preview.problems.append(
                Problem(
                    preview.row_of.get(item.key, 0),
                    "",
                    f"mã '{item.key}' đã lưu với câu trả lời khác",
                    f"key '{item.key}' was stored with other answers",
                )
            )
    return preview


@transaction.atomic
def upload_commit(
    *,
    user: User,
    campaign: Campaign,
    data: bytes,
    fmt: str,
    unit: Unit | None = None,
    mode: str = CollectionMode.PAPER,
) -> ImportReport:
    """Check the file again and store every row, or raise :class:`ImportRejected` and store none."""
    preview = upload_preview(user=user, campaign=campaign, data=data, fmt=fmt, unit=unit)
    if preview.problems:
        raise ImportRejected("tệp / file", preview.problems)
    began = timezone.now()
    stored = already = 0
    for target, items in preview.batches.values():
        try:
            report = responses_import(
                campaign=campaign,
                unit=target,
                incoming=items,
                source="import",
                collection_mode=mode,
            )
        except ConflictingAnswer as exc:  # pragma: no cover - the preview compares stored keys
            raise ImportRejected("tệp / file", [Problem(0, "", str(exc), str(exc))]) from exc
        except UnitNotValid as exc:  # pragma: no cover - the preview checks each row's date
            raise ImportRejected("tệp / file", [Problem(0, "", exc.vi, exc.en)]) from exc
        stored += report.stored
        already += report.already
    # a big file takes a while: stamp its rows again just before the commit, so whoever reads
    # "what changed since" (collection.models.WRITE_SLACK) cannot miss them
    Response.objects.filter(campaign=campaign, changed_at__gte=began).update(
        changed_at=timezone.now()
    )
    return ImportReport(stored=stored, already=already)
