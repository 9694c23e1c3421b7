"""Writing paper batches: open a batch, type a sheet, settle a double-entry mismatch.

Answers reach the answer table only through ``collection.services.responses_import``, under a
key per sheet (:meth:`PaperBatch.key`), so a sheet stored twice is stored once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.collection.services import Incoming, UnitNotValid, responses_import, split_profile
from hailong.measurement.instruments import Instrument
from hailong.units.models import Service, Unit

from .answers import AnswerProblem, answer_text, answers_for_storage, sheet_read
from .models import PaperBatch, PaperEntry, PaperResolution
from .selectors import SERVICE, batch_sheets, entry_allowed, may_settle, sheet_differences


class EntryRefused(Exception):
    """A request that changes nothing, with the reason in Vietnamese and English."""

    def __init__(self, message_vi: str, message_en: str, *, field: str = "") -> None:
        self.message_vi, self.message_en, self.field = message_vi, message_en, field
        super().__init__(f"{message_vi} / {message_en}")


class SheetRejected(Exception):
    """A typed sheet breaks its questionnaire's rules; nothing was saved."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@transaction.atomic
def batch_open(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    number: str,
    expected_sheets: int,
    double_entry: bool,
) -> PaperBatch:
    """Open a bundle of paper forms of a unit the user holds, in an open campaign."""
    if not entry_allowed(user=user, unit=unit):
        raise PermissionDenied(f"{unit.code} is outside the user's units")
    if campaign.status != Campaign.Status.OPEN:
        raise EntryRefused(
            f"Đợt khảo sát '{campaign.code}' không mở",
            f"campaign '{campaign.code}' is not open",
            field="campaign",
        )
    if not campaign.scope.filter(unit=unit).exists():
        raise EntryRefused(
            f"Đơn vị {unit.code} ({unit.name}) không thuộc đợt khảo sát '{campaign.code}'",
            f"unit {unit.code} ({unit.name}) is not in campaign '{campaign.code}'",
            field="unit",
        )
    if (ended := unit.validity_problem(timezone.localdate())) is not None:
        raise EntryRefused(ended[0][:1].upper() + ended[0][1:], ended[1], field="unit")
    number = number.strip()
    if not number:
        raise EntryRefused("Chưa ghi số lô", "the batch number is missing", field="number")
    if expected_sheets < 1:
        raise EntryRefused(
            "Số phiếu dự kiến phải từ 1 trở lên",
            "the number of sheets expected must be at least 1",
            field="expected_sheets",
        )
    if PaperBatch.objects.filter(campaign=campaign, unit=unit, number=number).exists():
        raise EntryRefused(
            f"Lô số '{number}' của đơn vị này đã có",
            f"batch '{number}' of this unit already exists",
            field="number",
        )
    return PaperBatch.objects.create(
        campaign=campaign,
        unit=unit,
        number=number,
        expected_sheets=expected_sheets,
        double_entry=double_entry,
        created_by=user,
    )


def _locked(batch: PaperBatch) -> PaperBatch:
    """The batch, locked: two clerks typing the same sheet at once are served one at a time."""
    locked = PaperBatch.objects.select_for_update().select_related("campaign__instrument", "unit")
    return locked.get(pk=batch.pk)


def _service(code: str) -> Service | None:
    code = code.strip()
    if not code:
        return None
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise SheetRejected(
            [
                AnswerProblem(
                    SERVICE,
                    f"Mã thủ tục '{code}' không có trong danh mục",
                    f"procedure code '{code}' is not in the list",
                )
            ]
        )
    return service


def _store(batch: PaperBatch, number: int, instrument: Instrument, source: Any) -> None:
    try:
        _import(batch, number, instrument, source)
    except UnitNotValid as exc:
        raise EntryRefused(exc.vi, exc.en) from exc


def _import(batch: PaperBatch, number: int, instrument: Instrument, source: Any) -> None:
    responses_import(
        campaign=batch.campaign,
        unit=batch.unit,
        incoming=[
            Incoming(
                key=batch.key(number),
                # paper forms were filled before their bundle was opened: dated by the bundle,
                # so the forms of a unit merged since are still stored under that unit
                submitted_at=batch.created_at,
                answers=answers_for_storage(instrument, source.answers),
                profile=answers_for_storage(instrument, source.profile),
                service=source.service,
            )
        ],
        source="paper",
        collection_mode="paper",
    )


@transaction.atomic
def sheet_enter(
    *, batch: PaperBatch, clerk: User, sheet_number: int, typed: Mapping[str, str], service: str
) -> str:
    """Save one clerk's copy of a sheet; store the answer once its copies agree.

    Returns ``"stored"``, ``"waiting"`` (a second copy is needed) or ``"mismatch"`` (the
    copies differ and wait for a third person). Raises :class:`SheetRejected` for answers that
    break the questionnaire and :class:`EntryRefused` for a sheet this clerk may not type.
    """
    batch = _locked(batch)
    if not entry_allowed(user=clerk, unit=batch.unit):
        raise PermissionDenied(f"{batch.unit.code} is outside the user's units")
    if batch.closed_at is not None:
        raise EntryRefused("Lô này đã đóng", "this batch is closed")
    if not 1 <= sheet_number <= batch.expected_sheets:
        raise EntryRefused(
            f"Số phiếu phải từ 1 đến {batch.expected_sheets}",
            f"the sheet number must be between 1 and {batch.expected_sheets}",
            field="sheet_number",
        )
    instrument = batch.campaign.instrument.to_core()
    values, problems = sheet_read(instrument, typed)
    try:
        chosen_service = _service(service)
    except SheetRejected as exc:
        problems += exc.problems
        chosen_service = None
    if problems:
        raise SheetRejected(problems)
    copies = list(batch.entries.filter(sheet_number=sheet_number).order_by("entered_at", "pk"))
    if any(c.clerk_id == clerk.pk for c in copies):
        raise EntryRefused(
            f"Bạn đã nhập phiếu số {sheet_number}; bản thứ hai phải do cán bộ khác nhập",
            f"you already typed sheet {sheet_number}; the second copy must be typed by another clerk",
            field="sheet_number",
        )
    if len(copies) >= (2 if batch.double_entry else 1):
        raise EntryRefused(
            f"Phiếu số {sheet_number} đã được nhập đủ",
            f"sheet {sheet_number} has already been typed",
            field="sheet_number",
        )
    answers, profile = split_profile(instrument, values)
    try:
        with transaction.atomic():
            entry = PaperEntry.objects.create(
                batch=batch,
                sheet_number=sheet_number,
                clerk=clerk,
                answers=answers,
                profile=profile,
                service=chosen_service,
            )
    except IntegrityError as exc:  # pragma: no cover - the lock above serialises clerks
        raise EntryRefused(
            f"Phiếu số {sheet_number} vừa được nhập", f"sheet {sheet_number} was just typed"
        ) from exc
    entry.refresh_from_db()  # compare as stored (JSON), not as typed in Python
    if batch.double_entry and not copies:
        return "waiting"
    if copies and copies[0].content() != entry.content():
        return "mismatch"
    _store(batch, sheet_number, instrument, entry)
    return "stored"


@transaction.atomic
def sheet_resolve(
    *, batch: PaperBatch, sheet_number: int, resolver: User, chosen: Mapping[str, str]
) -> PaperResolution:
    """Settle the differences between two copies and store the sheet.

    ``chosen`` gives, for every question the copies disagree on (and :data:`SERVICE` for the
    procedure), the value to keep as typed; the questions they agree on are kept as they are.
    """
    batch = _locked(batch)
    sheet = batch_sheets(batch=batch).get(sheet_number)
    if sheet is None or not sheet.mismatched or sheet.resolution is not None:
        raise EntryRefused(
            f"Phiếu số {sheet_number} không có sai khác cần xử lý",
            f"sheet {sheet_number} has no difference to resolve",
        )
    first, second = sheet.copies
    if not may_settle(user=resolver, batch=batch, copies=sheet.copies):
        raise EntryRefused(
            "Bạn đã nhập một bản của phiếu này; người thứ ba hoặc điều phối viên phải xử lý",
            "you typed one of the copies; a third person or a coordinator must resolve it",
        )
    instrument = batch.campaign.instrument.to_core()
    typed = {code: answer_text(v) for code, v in {**first.answers, **first.profile}.items()}
    differences = sheet_differences(instrument, first, second)
    missing = [code for code in differences if code not in chosen]
    if missing:
        raise SheetRejected(
            [
                AnswerProblem(code, "Chưa chọn giá trị đúng", "choose the right value")
                for code in missing
            ]
        )
    typed.update({code: chosen[code] for code in differences if code != SERVICE})
    values, problems = sheet_read(instrument, typed)
    service = first.service
    if SERVICE in differences:
        try:
            service = _service(chosen[SERVICE])
        except SheetRejected as exc:
            problems += exc.problems
    if problems:
        raise SheetRejected(problems)
    answers, profile = split_profile(instrument, values)
    log = {
        code: {
            "first": answer_text({**first.answers, **first.profile}.get(code)),
            "second": answer_text({**second.answers, **second.profile}.get(code)),
            "kept": answer_text(values.get(code)),
        }
        for code in differences
        if code != SERVICE
    }
    if SERVICE in differences:
        log[SERVICE] = {
            "first": first.service.code if first.service else "",
            "second": second.service.code if second.service else "",
            "kept": service.code if service else "",
        }
    resolution = PaperResolution.objects.create(
        batch=batch,
        sheet_number=sheet_number,
        resolved_by=resolver,
        differences=log,
        answers=answers,
        profile=profile,
        service=service,
    )
    _store(batch, sheet_number, instrument, resolution)
    return resolution


@transaction.atomic
def batch_close(*, batch: PaperBatch, user: User) -> PaperBatch:
    """Close a batch: no more typing in it (its mismatches can still be resolved)."""
    if not entry_allowed(user=user, unit=batch.unit):
        raise PermissionDenied(f"{batch.unit.code} is outside the user's units")
    batch = _locked(batch)
    if batch.closed_at is None:
        batch.closed_at = timezone.now()
        batch.save(update_fields=["closed_at"])
    return batch
