"""E-mail about cases through a transactional outbox: queued with the step, sent by the tick.

``mail_queue`` is called inside the step's transaction, so a step that rolls back leaves no
message. ``outbox_send`` (``hailong cases tick`` and the cheap tick of the staff list) claims
each pending message with a conditional UPDATE before sending it, so two ticks never both send
it, and marks it sent; a failure is retried later, at most ``HAILONG_EMAIL_ATTEMPTS`` times.

Who gets what: the sender, if they left an e-mail, when the case is received, answered and
closed; the owning unit's address and its managers when the case is assigned, reminded and
escalated, and reopened by the sender (with its new deadline); the coordinators over the unit
when it is escalated. Vietnamese first, English
below, plain text. A message to staff names the case, never the sender or their contact; a
message to the sender holds no answer text (the tracking page shows it, masked).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from hailong.accounts.models import Role, RoleAssignment, User

from .models import Case, CaseContact, Outbox

log = logging.getLogger("hailong.cases.mail")

A = Outbox.Audience
SENDER_STEPS = ("submit", "answer", "close")
UNIT_STEPS = ("assign", "reopen", "remind", "escalate")
LEASE = dt.timedelta(minutes=15)  # a claimed message not marked by then is tried again
FIRST_RETRY = dt.timedelta(minutes=5)  # then 10, 20, 40… minutes, at most six hours
FOOTER_VI = "Thư này được gửi tự động từ hệ thống hailong; xin đừng trả lời thư này."
FOOTER_EN = "This message was sent automatically by hailong; please do not reply to it."


def _link(path: str) -> str:
    """An address people can open from their mail; HAILONG_PUBLIC_URL supplies the host."""
    return f"{settings.HAILONG_PUBLIC_URL}{path}"


def _kind(case: Case) -> tuple[str, str]:
    if case.kind == Case.Kind.SUGGESTION:
        return "kiến nghị", "suggestion"
    return "phản ánh", "complaint"


def _unit_en(case: Case) -> str:
    return case.unit.name_en or case.unit.name


def _both(vi: list[str], en: list[str]) -> str:
    return "\n".join([*vi, "", FOOTER_VI, "", "---", "", *en, "", FOOTER_EN, ""])


def _to_sender(case: Case, step: str) -> tuple[str, str]:
    kind_vi, kind_en = _kind(case)
    track = _link(reverse("cases:track") + "?" + urlencode({"ma": case.code}))
    due = f"{case.due_on:%d/%m/%Y}"
    days = settings.HAILONG_CASE_REOPEN_DAYS
    if step == "submit":
        subject = f"Đã nhận {kind_vi} {case.code} / Your {kind_en} {case.code} was received"
        vi = [
            "Kính gửi Ông/Bà,",
            "",
            f"{case.unit.name} đã nhận {kind_vi} của Ông/Bà.",
            f"Mã tra cứu: {case.code}",
            f"Hạn trả lời: {due}",
            f"Theo dõi và đọc trả lời tại: {track}",
        ]
        en = [
            "Dear Sir or Madam,",
            "",
            f"{_unit_en(case)} has received your {kind_en}.",
            f"Tracking code: {case.code}",
            f"Answer due by: {due}",
            f"Follow it and read the answer at: {track}",
        ]
    elif step == "answer":
        subject = f"Đã có trả lời {kind_vi} {case.code} / Your {kind_en} {case.code} was answered"
        vi = [
            "Kính gửi Ông/Bà,",
            "",
            f"{case.unit.name} đã trả lời {kind_vi} {case.code} của Ông/Bà.",
            f"Đọc trả lời tại: {track}",
            f"Nếu chưa hài lòng, Ông/Bà có thể mở lại trong {days} ngày tại địa chỉ trên.",
        ]
        en = [
            "Dear Sir or Madam,",
            "",
            f"{_unit_en(case)} has answered your {kind_en} {case.code}.",
            f"Read the answer at: {track}",
            f"If you are not satisfied, you may reopen it there within {days} days.",
        ]
    else:
        subject = f"Đã đóng {kind_vi} {case.code} / Your {kind_en} {case.code} was closed"
        vi = [
            "Kính gửi Ông/Bà,",
            "",
            f"{case.unit.name} đã đóng {kind_vi} {case.code} của Ông/Bà.",
            f"Xem lại các bước và câu trả lời tại: {track}",
        ]
        en = [
            "Dear Sir or Madam,",
            "",
            f"{_unit_en(case)} has closed your {kind_en} {case.code}.",
            f"See its steps and the answer at: {track}",
        ]
    return subject, _both(vi, en)


def _to_staff(case: Case, step: str) -> tuple[str, str]:
    kind_vi, kind_en = _kind(case)
    page = _link(reverse("cases:staff_case", kwargs={"pk": case.pk}))
    due = f"{case.due_on:%d/%m/%Y}"
    if step == "assign":
        subject = f"Giao {kind_vi} {case.code} / {kind_en.capitalize()} {case.code} assigned"
        vi_line = f"{kind_vi.capitalize()} {case.code} đã được giao cho {case.unit.name}."
        en_line = f"{kind_en.capitalize()} {case.code} was assigned to {_unit_en(case)}."
    elif step == "reopen":
        subject = f"Mở lại {kind_vi} {case.code} / {kind_en.capitalize()} {case.code} reopened"
        vi_line = (
            f"Người gửi chưa hài lòng với trả lời của {case.unit.name}: {kind_vi} {case.code} "
            "được mở lại, với hạn trả lời mới."
        )
        en_line = (
            f"The sender is not satisfied with the answer of {_unit_en(case)}: {kind_en} "
            f"{case.code} was reopened, with a new deadline."
        )
    elif step == "remind":
        subject = f"Sắp đến hạn {kind_vi} {case.code} / {kind_en.capitalize()} {case.code} due soon"
        vi_line = f"{kind_vi.capitalize()} {case.code} của {case.unit.name} sắp đến hạn trả lời."
        en_line = f"{kind_en.capitalize()} {case.code} of {_unit_en(case)} is due soon."
    else:
        subject = f"Quá hạn {kind_vi} {case.code} / {kind_en.capitalize()} {case.code} overdue"
        vi_line = (
            f"{kind_vi.capitalize()} {case.code} của {case.unit.name} đã quá hạn trả lời "
            "và được chuyển cho điều phối viên."
        )
        en_line = (
            f"{kind_en.capitalize()} {case.code} of {_unit_en(case)} is overdue and was "
            "passed to the coordinators."
        )
    vi = [vi_line, f"Hạn trả lời: {due}", f"Xử lý tại: {page}"]
    en = [en_line, f"Answer due by: {due}", f"Handle it at: {page}"]
    return subject, _both(vi, en)


def _unit_addresses(case: Case) -> list[str]:
    """The unit's own address and its managers' (a role held over this very unit)."""
    managers = User.objects.filter(
        is_active=True, roles__role=Role.UNIT_MANAGER, roles__unit=case.unit
    ).values_list("email", flat=True)
    return [case.unit.email, *managers]


def _coordinator_addresses(case: Case) -> list[str]:
    """Coordinators whose units include the case's unit (the whole province or an ancestor)."""
    found = []
    for assignment in RoleAssignment.objects.filter(
        role=Role.COORDINATOR, user__is_active=True
    ).select_related("unit", "user"):
        unit = assignment.unit
        if unit is None or case.unit.path.startswith(unit.path):
            found.append(assignment.user.email)
    return found


def _queue(
    case: Case, audience: str, step: str, addresses: Iterable[str], text: tuple[str, str]
) -> int:
    now = timezone.now()
    seen: set[str] = set()
    rows = []
    for address in addresses:
        address = (address or "").strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        rows.append(
            Outbox(
                case=case,
                audience=audience,
                step=step,
                to=address,
                subject=text[0],
                body=text[1],
                created_at=now,
                next_try_at=now,
            )
        )
    Outbox.objects.bulk_create(rows)
    return len(rows)


def mail_queue(*, case: Case, step: str) -> int:
    """Queue the messages of ``step`` (inside its transaction); how many were queued."""
    if step in SENDER_STEPS:
        emails = CaseContact.objects.filter(case=case).values_list("email", flat=True)
        return _queue(case, A.SENDER, step, emails, _to_sender(case, step))
    if step not in UNIT_STEPS:
        return 0
    text = _to_staff(case, step)
    count = _queue(case, A.UNIT, step, _unit_addresses(case), text)
    if step == "escalate":
        count += _queue(case, A.COORDINATOR, step, _coordinator_addresses(case), text)
    return count


def outbox_send(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send pending messages, oldest due first; each is claimed before it is sent, so two
    ticks at once send it once. The run stops at the first failure, so that a server that does
    not answer costs one ``EMAIL_TIMEOUT``, not one per message (a page load runs it too)."""
    now = now or timezone.now()
    most = settings.HAILONG_EMAIL_ATTEMPTS
    pending = Outbox.objects.filter(sent_at__isnull=True, attempts__lt=most, next_try_at__lte=now)
    sent = failed = given_up = 0
    for pk in list(pending.order_by("next_try_at", "pk").values_list("pk", flat=True)[:limit]):
        claimed = pending.filter(pk=pk).update(attempts=F("attempts") + 1, next_try_at=now + LEASE)
        if not claimed:
            continue  # another tick took it, or it was dropped meanwhile
        message = Outbox.objects.select_related("case").get(pk=pk)
        try:
            send_mail(
                message.subject,
                message.body,
                settings.HAILONG_EMAIL_FROM,
                [message.to],
                fail_silently=False,
            )
        except Exception as exc:  # any backend error: SMTP, socket, TLS, a bad address
            error = f"{type(exc).__name__}: {exc}"[:500]
            retry = now + min(FIRST_RETRY * 2 ** (message.attempts - 1), dt.timedelta(hours=6))
            Outbox.objects.filter(pk=pk).update(last_error=error, next_try_at=retry)
            code = message.case.code if message.case else "-"
            if message.attempts >= most:
                given_up += 1
                log.error(
                    "e-mail %s (%s, case %s) not sent after %d attempts, given up: %s",
                    pk, message.step, code, message.attempts, error,
                )  # fmt: skip
            else:
                failed += 1
                log.warning(
                    "e-mail %s (%s, case %s) not sent, attempt %d of %d: %s",
                    pk, message.step, code, message.attempts, most, error,
                )  # fmt: skip
            break  # the server is likely down: one timeout per run, not one per message
        else:
            Outbox.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
    return {"sent": sent, "failed": failed, "given_up": given_up}
