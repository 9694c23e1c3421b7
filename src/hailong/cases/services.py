"""Every change to a case: each step checks the order of the lifecycle and who may take it.

received → assigned → in_progress → answered → closed; a sender may reopen an answered case
within ``HAILONG_CASE_REOPEN_DAYS``. A step out of order, by someone who does not own the
case, or with bad text raises :class:`CaseRefused` (Vietnamese and English) and changes
nothing. Every step is a :class:`CaseEvent` and an audit entry (never with the contact).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from hailong.accounts.models import User
from hailong.accounts.selectors import units_in_scope
from hailong.audit.services import audit_record
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_normalise
from hailong.comments import comment_tags, mask
from hailong.core.imports import ImportRejected, Problem, read_rows, text
from hailong.units.models import Unit

from .codes import case_code_new
from .mail import mail_queue
from .models import OPEN_STATUSES, Case, CaseContact, CaseEvent, Holiday, Outbox
from .selectors import COORDINATORS, HANDLERS, calendar_load, holidays_may_change

S = Case.Status
PHONE = re.compile(r"^\+?[0-9 .]{8,20}$")


class CaseRefused(ValueError):
    """A step that cannot be taken; ``vi`` and ``en`` say why, ``fields`` field by field
    (``{"text": (vi, en)}``) when a form was wrong in several places at once."""

    def __init__(self, vi: str, en: str, fields: dict[str, tuple[str, str]] | None = None) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en
        self.fields = fields or {}


def _text(value: str, *, what_vi: str, what_en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CaseRefused(f"{what_vi} đang để trống", f"the {what_en} is empty")
    limit = settings.HAILONG_CASE_TEXT_MAX
    if len(text) > limit:
        raise CaseRefused(
            f"{what_vi} dài {len(text)} ký tự, quá giới hạn {limit} ký tự",
            f"the {what_en} has {len(text)} characters, more than the limit of {limit}",
        )
    return text


def _may(*, actor: User | None, case: Case, roles: tuple[str, ...]) -> None:
    """Refuse unless the actor holds one of ``roles`` over the case's unit."""
    if (
        actor is None
        or not units_in_scope(user=actor, roles=roles).filter(pk=case.unit_id).exists()
    ):
        raise CaseRefused(
            "Ông/Bà không có quyền thực hiện bước này với phản ánh của đơn vị khác",
            "you may not take this step on a case of a unit that is not yours",
        )


def _expect(case: Case, allowed: tuple[str, ...], step_vi: str, step_en: str) -> None:
    if case.status not in allowed:
        raise CaseRefused(
            f"không thể {step_vi} khi phản ánh đang ở trạng thái “{S(case.status).label}”",
            f"cannot {step_en} a case whose status is “{S(case.status).label}”",
        )


def _step(
    *,
    case: Case,
    action: str,
    actor: User | None,
    before: str,
    note: str = "",
    actor_label: str = "",
    data: dict[str, object] | None = None,
) -> None:
    """Write the event and the audit entry of a step already applied to ``case``."""
    label = actor_label or (actor.get_username() if actor is not None else "hailong")
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        actor_label=label,
        action=action,
        from_status=before,
        to_status=case.status,
        note=note,
    )
    audit_record(
        action=f"case.{action}",
        actor=actor,
        actor_label=actor_label,
        obj=case,
        unit=case.unit,
        reason=mask(note).text[:500],  # the log is read beyond the unit
        data={"from": before, "to": case.status, **(data or {})},
    )


def _locked(case: Case) -> Case:
    """The case re-read under a row lock, so that two steps at once cannot both pass."""
    return Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)


def _publish_if_agreed(case: Case) -> None:
    case.published = (
        case.sender_consent and case.unit_consent and case.status in (S.ANSWERED, S.CLOSED)
    )


@transaction.atomic
def case_submit(
    *,
    unit: Unit | None,
    kind: str,
    text: str,
    receipt: str = "",
    name: str = "",
    phone: str = "",
    email: str = "",
    consent: bool = False,
    source: str = Case.Source.PORTAL,
    client_hash: str = "",
    honeypot: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """A complaint or suggestion from anyone; assigned at once to the unit they chose.

    Every wrong field is named at once (:attr:`CaseRefused.fields`), so that a person on a
    slow phone corrects the form in one go rather than one refusal at a time.
    """
    now = now or timezone.now()
    if honeypot:
        raise CaseRefused("không gửi được phản ánh", "the case could not be sent")
    problems: dict[str, tuple[str, str]] = {}
    if unit is None:
        problems["unit"] = ("hãy chọn đơn vị nhận phản ánh", "choose the unit")
    elif unit.valid_to is not None and unit.valid_to < timezone.localdate(now):
        problems["unit"] = (
            "đơn vị này không còn hoạt động; hãy chọn đơn vị đã tiếp nhận thay",
            "this unit no longer exists; choose the unit that took over",
        )
    if kind not in Case.Kind.values:
        problems["kind"] = ("hãy chọn phản ánh hoặc kiến nghị", "choose complaint or suggestion")
    body = ""
    try:
        body = _text(text, what_vi="nội dung phản ánh", what_en="text")
    except CaseRefused as exc:
        problems["text"] = (exc.vi, exc.en)
    response = None
    if receipt.strip():
        canonical = receipt_normalise(receipt)
        response = Response.objects.filter(receipt=canonical).first() if canonical else None
        if response is None:
            problems["receipt"] = (
                "không có câu trả lời khảo sát nào với số biên nhận này",
                "there is no survey answer with this receipt number",
            )
        elif unit is not None and response.unit_id != unit.pk:
            problems["receipt"] = (
                "số biên nhận thuộc câu trả lời cho đơn vị khác",
                "the receipt belongs to an answer about another unit",
            )
    name, phone, email = name.strip(), phone.strip(), email.strip()
    if len(name) > 100:
        problems["name"] = ("họ tên dài quá 100 ký tự", "the name is longer than 100 characters")
    if phone and not PHONE.match(phone):
        problems["phone"] = (
            "số điện thoại chỉ gồm chữ số (8 đến 20 ký tự)",
            "the phone number must be digits (8 to 20 characters)",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = ("địa chỉ thư điện tử không hợp lệ", "the e-mail is not valid")
    if problems or unit is None:
        vi, en = zip(*problems.values(), strict=True)
        raise CaseRefused("; ".join(vi), "; ".join(en), problems)
    if client_hash:
        recent = Case.objects.filter(
            client_hash=client_hash, received_at__gte=now - dt.timedelta(hours=1)
        ).count()
        if recent >= settings.HAILONG_CASE_PER_HOUR:
            raise CaseRefused(
                "đã gửi quá nhiều phản ánh trong một giờ; hãy thử lại sau",
                "too many cases were sent from here within an hour; try again later",
            )
    tags = comment_tags(body)
    case = Case.objects.create(
        code=case_code_new(),
        kind=kind,
        unit=unit,
        response=response,
        source=source,
        text=body,
        factors=sorted(tags.factors),
        tone=tags.tone,
        received_at=now,
        due_on=calendar_load().add(
            timezone.localtime(now).date(), settings.HAILONG_CASE_DEADLINE_DAYS
        ),
        sender_consent=consent,
        client_hash=client_hash,
    )
    if name or phone or email:
        CaseContact.objects.create(case=case, name=name, phone=phone, email=email)
    _step(case=case, action="submit", actor=None, before="", actor_label="người gửi")
    mail_queue(case=case, step="submit")
    if settings.HAILONG_CASE_AUTO_ASSIGN:
        case.status, case.assigned_at = S.ASSIGNED, now
        case.save(update_fields=["status", "assigned_at"])
        _step(case=case, action="assign", actor=None, before=S.RECEIVED, note="theo quy tắc")
        mail_queue(case=case, step="assign")
    return case


@transaction.atomic
def case_from_response(*, actor: User, receipt: str) -> Case:
    """A coordinator turns a negative survey answer with a comment into a complaint."""
    canonical = receipt_normalise(receipt)
    response = (
        Response.objects.select_related("unit", "instrument").filter(receipt=canonical).first()
        if canonical
        else None
    )
    if response is None:
        raise CaseRefused(
            "không có câu trả lời khảo sát nào với số biên nhận này",
            "there is no survey answer with this receipt number",
        )
    if not units_in_scope(user=actor, roles=COORDINATORS).filter(pk=response.unit_id).exists():
        raise CaseRefused(
            "chỉ điều phối viên của đơn vị mới tạo được phản ánh từ câu trả lời",
            "only a coordinator over the unit can turn an answer into a case",
        )
    if Case.objects.filter(response=response).exists():
        raise CaseRefused(
            "câu trả lời này đã có phản ánh", "this answer has already been turned into a case"
        )
    instrument = response.instrument.to_core()
    comments, negative = [], False
    for question in instrument.questions():
        given = response.answers.get(question.code)
        if given is None:
            continue
        if question.role == "comment" and isinstance(given, str) and given.strip():
            comments.append(given.strip())
        elif (
            (question.is_item or question.role == "overall")
            and question.scale.top
            and isinstance(given, int)
            and given not in question.scale.top
        ):
            negative = True
    if not comments or not negative:
        raise CaseRefused(
            "chỉ câu trả lời không hài lòng và có góp ý mới tạo được phản ánh",
            "only an answer that is not satisfied and has a comment can become a case",
        )
    case = case_submit(
        unit=response.unit,
        kind=Case.Kind.COMPLAINT,
        text="\n\n".join(comments)[: settings.HAILONG_CASE_TEXT_MAX],
        receipt=response.receipt,
        source=Case.Source.RESPONSE,
    )
    _step(case=case, action="from_answer", actor=actor, before=case.status)
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, unit: Unit, note: str = "") -> Case:
    """A coordinator assigns (or moves) a case to a unit; its deadline does not restart."""
    case = _locked(case)
    _expect(case, (S.RECEIVED, S.ASSIGNED, S.IN_PROGRESS), "giao", "assign")
    _may(actor=actor, case=case, roles=COORDINATORS)
    if not units_in_scope(user=actor, roles=COORDINATORS).filter(pk=unit.pk).exists():
        raise CaseRefused("đơn vị nhận ngoài phạm vi của Ông/Bà", "that unit is outside your units")
    before, old_unit = case.status, case.unit
    case.unit, case.status, case.assigned_at = unit, S.ASSIGNED, timezone.now()
    case.started_at = None
    case.save(update_fields=["unit", "status", "assigned_at", "started_at"])
    _step(
        case=case,
        action="assign",
        actor=actor,
        before=before,
        note=note.strip(),
        data={"from_unit": old_unit.code, "to_unit": unit.code},
    )
    mail_queue(case=case, step="assign")
    return case


@transaction.atomic
def case_start(*, actor: User, case: Case) -> Case:
    case = _locked(case)
    _expect(case, (S.ASSIGNED,), "bắt đầu xử lý", "start")
    _may(actor=actor, case=case, roles=HANDLERS)
    case.status, case.started_at = S.IN_PROGRESS, timezone.now()
    case.save(update_fields=["status", "started_at"])
    _step(case=case, action="start", actor=actor, before=S.ASSIGNED)
    return case


@transaction.atomic
def case_answer(*, actor: User, case: Case, answer: str) -> Case:
    """The owning unit (its manager) or a coordinator answers; the sender reads it by code."""
    case = _locked(case)
    _expect(case, (S.IN_PROGRESS,), "trả lời", "answer")
    _may(actor=actor, case=case, roles=HANDLERS)
    case.answer = _text(answer, what_vi="nội dung trả lời", what_en="answer")
    case.status, case.answered_at, case.answered_by = S.ANSWERED, timezone.now(), actor
    _publish_if_agreed(case)
    case.save(update_fields=["answer", "status", "answered_at", "answered_by", "published"])
    _step(case=case, action="answer", actor=actor, before=S.IN_PROGRESS, note=case.answer)
    mail_queue(case=case, step="answer")
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, note: str = "") -> Case:
    case = _locked(case)
    _expect(case, (S.ANSWERED,), "đóng", "close")
    _may(actor=actor, case=case, roles=HANDLERS)
    case.status, case.closed_at = S.CLOSED, timezone.now()
    case.save(update_fields=["status", "closed_at"])
    _step(case=case, action="close", actor=actor, before=S.ANSWERED, note=note.strip())
    mail_queue(case=case, step="close")
    return case


@transaction.atomic
def case_reopen(*, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """The sender (holding the code) is not satisfied with the answer: back to the unit.

    Allowed within ``HAILONG_CASE_REOPEN_DAYS`` of the answer; the unit gets a new deadline.
    """
    now = now or timezone.now()
    case = _locked(case)
    _expect(case, (S.ANSWERED, S.CLOSED), "mở lại", "reopen")
    note = _text(reason, what_vi="lý do mở lại", what_en="reason for reopening")
    assert case.answered_at is not None  # noqa: S101 - answered and closed cases have one
    if now - case.answered_at > dt.timedelta(days=settings.HAILONG_CASE_REOPEN_DAYS):
        raise CaseRefused(
            f"chỉ mở lại được trong {settings.HAILONG_CASE_REOPEN_DAYS} ngày sau khi có trả lời",
            f"a case can be reopened only within {settings.HAILONG_CASE_REOPEN_DAYS} days "
            "of its answer",
        )
    before = case.status
    case.status, case.closed_at, case.published = S.IN_PROGRESS, None, False
    case.due_on = calendar_load().add(
        timezone.localtime(now).date(), settings.HAILONG_CASE_DEADLINE_DAYS
    )
    case.reminded_at = case.escalated_at = None
    case.save(
        update_fields=["status", "closed_at", "published", "due_on", "reminded_at", "escalated_at"]
    )
    _step(case=case, action="reopen", actor=None, before=before, note=note, actor_label="người gửi")
    mail_queue(case=case, step="reopen")
    return case


@transaction.atomic
def case_consent(*, case: Case, side: str, agree: bool, actor: User | None = None) -> Case:
    """The sender (``side="sender"``) or the unit agrees, or no longer agrees, to publish."""
    case = _locked(case)
    if side == "unit":
        _may(actor=actor, case=case, roles=HANDLERS)
        case.unit_consent = agree
    elif side == "sender":
        case.sender_consent = agree
    else:
        raise CaseRefused("bên đồng ý không hợp lệ", "unknown side")
    _publish_if_agreed(case)
    case.save(update_fields=["unit_consent", "sender_consent", "published"])
    _step(
        case=case,
        action="consent",
        actor=actor,
        before=case.status,
        actor_label="" if actor else "người gửi",
        data={"side": side, "agree": agree, "published": case.published},
    )
    return case


@transaction.atomic
def cases_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the unit of cases due soon; escalate overdue ones to the coordinators.

    Run by ``hailong cases tick`` and, at most every few minutes, by the staff case list;
    it also deletes contacts of cases closed more than ``HAILONG_CASE_CONTACT_DAYS`` ago, and
    the messages to them. The reminders and escalations are queued as e-mail in the same
    transaction; ``mail.outbox_send`` sends them after it commits.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    reminded = escalated = 0
    calendar = calendar_load()
    open_cases = (
        Case.objects.select_for_update().select_related("unit").filter(status__in=OPEN_STATUSES)
    )
    for case in open_cases.filter(escalated_at__isnull=True, due_on__lt=today):
        case.escalated_at = now
        case.reminded_at = case.reminded_at or now
        case.save(update_fields=["escalated_at", "reminded_at"])
        late = calendar.between(case.due_on, today)
        _step(
            case=case,
            action="escalate",
            actor=None,
            before=case.status,
            note=f"quá hạn {late} ngày làm việc (hạn {case.due_on:%d/%m/%Y})",
        )
        mail_queue(case=case, step="escalate")
        escalated += 1
    for case in open_cases.filter(reminded_at__isnull=True, due_on__gte=today):
        if calendar.between(today, case.due_on) <= settings.HAILONG_CASE_REMIND_DAYS:
            case.reminded_at = now
            case.save(update_fields=["reminded_at"])
            _step(
                case=case,
                action="remind",
                actor=None,
                before=case.status,
                note=f"hạn trả lời {case.due_on:%d/%m/%Y}",
            )
            mail_queue(case=case, step="remind")
            reminded += 1
    cutoff = now - dt.timedelta(days=settings.HAILONG_CASE_CONTACT_DAYS)
    old_contacts = CaseContact.objects.filter(case__status=S.CLOSED, case__closed_at__lt=cutoff)
    # messages to those senders go with the contact: pending ones are dropped, sent ones
    # erased, since each holds the address
    to_senders = Outbox.objects.filter(
        audience=Outbox.Audience.SENDER,
        case__in=old_contacts.values("case"),
    )
    dropped = to_senders.filter(sent_at__isnull=True).count()
    to_senders.delete()
    purged, _ = old_contacts.delete()
    if purged:
        audit_record(
            action="case.contacts_delete", data={"contacts": purged, "mails_dropped": dropped}
        )
    return {
        "reminded": reminded,
        "escalated": escalated,
        "contacts_deleted": purged,
        "mails_dropped": dropped,
    }


def _may_change_holidays(actor: User) -> None:
    if not holidays_may_change(user=actor):
        raise CaseRefused(
            "chỉ quản trị viên và điều phối viên toàn tỉnh mới sửa được lịch nghỉ",
            "only administrators and coordinators of the whole province change the holidays",
        )


def _holiday_data(holiday: Holiday) -> dict[str, object]:
    return {
        "day": holiday.day.isoformat(),
        "name_vi": holiday.name_vi,
        "name_en": holiday.name_en,
        "working_day": holiday.working_day,
    }


@transaction.atomic
def holiday_add(
    *, actor: User, day: dt.date, name_vi: str = "", name_en: str = "", working_day: bool = False
) -> Holiday:
    """A day off, or a Saturday or Sunday worked instead of one; audited."""
    _may_change_holidays(actor)
    if working_day and day.weekday() < 5:
        raise CaseRefused(
            "ngày làm bù phải là thứ Bảy hoặc Chủ nhật",
            "a make-up working day must be a Saturday or a Sunday",
        )
    if Holiday.objects.filter(day=day).exists():
        raise CaseRefused(
            f"ngày {day:%d/%m/%Y} đã có trong lịch", f"{day:%d/%m/%Y} is already in the list"
        )
    holiday = Holiday.objects.create(
        day=day,
        name_vi=name_vi.strip()[:100],
        name_en=name_en.strip()[:100],
        working_day=working_day,
    )
    audit_record(action="holiday.add", actor=actor, obj=holiday, data=_holiday_data(holiday))
    return holiday


@transaction.atomic
def holiday_delete(*, actor: User, holiday: Holiday) -> None:
    _may_change_holidays(actor)
    audit_record(action="holiday.delete", actor=actor, obj=holiday, data=_holiday_data(holiday))
    holiday.delete()


YES = {"1", "x", "có", "co", "yes", "true", "làm bù", "lam bu"}
NO = {"", "0", "không", "khong", "no", "false"}


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    typed = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(typed, pattern).date()
        except ValueError:
            continue
    return None


@transaction.atomic
def holidays_import(*, actor: User, path: Path, file_name: str = "") -> int:
    """A year's list from a file (columns ``date``, ``name``; optional ``name_en`` and
    ``working_day``), all or nothing; a day already listed takes the file's name and flag."""
    _may_change_holidays(actor)
    rows = read_rows(path, ("date", "name"))
    problems: list[Problem] = []
    seen: dict[dt.date, int] = {}
    clean: list[tuple[dt.date, str, str, bool]] = []
    for row_no, row in rows:
        day = _day(row.get("date"))
        if day is None:
            problems.append(
                Problem(
                    row_no,
                    "date",
                    f"ngày '{text(row.get('date'))}' không đọc được (dạng 2027-02-06 hoặc 06/02/2027)",
                    f"cannot read the date '{text(row.get('date'))}' (as 2027-02-06 or 06/02/2027)",
                )
            )
            continue
        if day in seen:
            problems.append(
                Problem(
                    row_no,
                    "date",
                    f"ngày {day:%d/%m/%Y} đã có ở dòng {seen[day]}",
                    f"{day:%d/%m/%Y} is already on row {seen[day]}",
                )
            )
        seen.setdefault(day, row_no)
        flag = text(row.get("working_day")).lower()
        if flag not in YES | NO:
            problems.append(
                Problem(
                    row_no,
                    "working_day",
                    f"'{flag}' không phải 1 (làm bù) hay 0 (nghỉ)",
                    f"'{flag}' is neither 1 (worked) nor 0 (day off)",
                )
            )
        worked = flag in YES
        if worked and day.weekday() < 5:
            problems.append(
                Problem(
                    row_no,
                    "working_day",
                    "ngày làm bù phải là thứ Bảy hoặc Chủ nhật",
                    "a make-up working day must be a Saturday or a Sunday",
                )
            )
        name_vi, name_en = text(row.get("name"))[:100], text(row.get("name_en"))[:100]
        clean.append((day, name_vi, name_en, worked))
    if problems:
        raise ImportRejected(str(path), problems)
    for day, name_vi, name_en, worked in clean:
        Holiday.objects.update_or_create(
            day=day, defaults={"name_vi": name_vi, "name_en": name_en, "working_day": worked}
        )
    audit_record(
        action="holiday.import",
        actor=actor,
        data={
            "rows": len(clean),
            "years": sorted({d.year for d, *_ in clean}),
            "file": file_name or path.name,
        },
    )
    return len(clean)
