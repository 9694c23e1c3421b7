"""E-mail through the outbox: the right people, both languages, once, and only what committed."""

from __future__ import annotations

import datetime as dt
import re
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.http import urlencode

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.cases.mail import outbox_send
from hailong.cases.models import Case, CaseContact, Outbox
from hailong.cases.services import (
    CaseRefused,
    case_answer,
    case_assign,
    case_close,
    case_reopen,
    case_start,
    case_submit,
    cases_escalate,
)
from hailong.cases.tests.conftest import person
from hailong.collection.receipts import MOD37
from hailong.core.crockford import ALPHABET
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db

SENDER = {"name": "Trần Thị Mai", "phone": "0912 345 678", "email": "mai@example.com"}
UNIT_ONE, UNIT_TWO = "hacthanh@thanhhoa.gov.vn", "quangphu@thanhhoa.gov.vn"


@pytest.fixture
def addresses(wards: tuple[Unit, Unit], staff: dict[str, User]) -> dict[str, User]:
    """Everyone has an e-mail, so that a message that goes to the wrong person shows."""
    one, two = wards
    Unit.objects.filter(pk=one.pk).update(email=UNIT_ONE, name_en="Hac Thanh Ward")
    Unit.objects.filter(pk=two.pk).update(email=UNIT_TWO)
    people = {**staff, "coordinator2": person("dieuphoi2", Role.COORDINATOR, two)}
    for key, user in people.items():
        user.email = f"{key}@thanhhoa.gov.vn"
        user.save(update_fields=["email"])
    RoleAssignment.objects.create(user=people["auditor"], role=Role.AUDITOR, unit=one)
    return people


def queued(step: str) -> dict[str, Outbox]:
    return {m.to: m for m in Outbox.objects.filter(step=step)}


def submitted(unit: Unit, **extra: object) -> Case:
    return case_submit(unit=Unit.objects.get(pk=unit.pk), kind="complaint", text="Chậm", **extra)  # type: ignore[arg-type]


def test_each_step_queues_its_messages_for_the_right_people_in_both_languages(
    wards: tuple[Unit, Unit], addresses: dict[str, User]
) -> None:
    case = submitted(wards[0], **SENDER)
    to_sender = queued("submit")
    assert list(to_sender) == ["mai@example.com"]
    body = to_sender["mai@example.com"].body
    assert case.code in body and "/gop-y/tra-cuu/?" + urlencode({"ma": case.code}) in body
    assert body.index("Mã tra cứu") < body.index("Tracking code")  # Vietnamese first
    assert "Phường Hạc Thành đã nhận phản ánh" in body and "Hac Thanh Ward has received" in body
    assigned = queued("assign")
    assert set(assigned) == {UNIT_ONE, "manager@thanhhoa.gov.vn"}
    staff_body = assigned[UNIT_ONE].body
    assert f"/can-bo/phan-anh/{case.pk}/" in staff_body
    assert "đã được giao cho" in staff_body and "was assigned to" in staff_body
    for message in Outbox.objects.exclude(audience=Outbox.Audience.SENDER):
        assert not any(v in message.body or v in message.subject for v in SENDER.values())

    manager = addresses["manager"]
    case = case_start(actor=manager, case=case)
    assert not Outbox.objects.filter(step="start").exists()
    case = case_answer(actor=manager, case=case, answer="Đã trả kết quả.")
    assert list(queued("answer")) == ["mai@example.com"]
    assert "Đã trả kết quả" not in queued("answer")["mai@example.com"].body  # read it masked
    case_close(actor=manager, case=case)
    assert list(queued("close")) == ["mai@example.com"]
    # the sender is not satisfied: the unit hears of it, with its new deadline
    case = case_reopen(case=case, reason="Vẫn chưa nhận được giấy tờ")
    reopened = queued("reopen")
    assert set(reopened) == {UNIT_ONE, "manager@thanhhoa.gov.vn"}
    assert "mở lại" in reopened[UNIT_ONE].body and "reopened" in reopened[UNIT_ONE].body
    assert f"{case.due_on:%d/%m/%Y}" in reopened[UNIT_ONE].body
    assert not any(v in reopened[UNIT_ONE].body for v in SENDER.values())

    moved = submitted(wards[0])  # no contact: nothing to the sender
    assert not Outbox.objects.filter(case=moved, audience=Outbox.Audience.SENDER).exists()
    case_assign(actor=addresses["coordinator"], case=moved, unit=Unit.objects.get(pk=wards[1].pk))
    assert set(queued("assign")) >= {UNIT_TWO, "manager2@thanhhoa.gov.vn"}
    assert Outbox.objects.filter(case=moved, step="assign", to=UNIT_TWO).count() == 1


def test_a_new_tracking_code_is_sent_as_it_is_written(
    wards: tuple[Unit, Unit], addresses: dict[str, User]
) -> None:
    for _ in range(40):  # letters and digits only: nothing in the link is percent-encoded
        case = submitted(wards[0], **SENDER)
        assert re.fullmatch(r"PA(-[0-9A-Z]{4}){2}-[0-9A-Z]{2}", case.code)
        assert f"/gop-y/tra-cuu/?ma={case.code}" in queued("submit")["mai@example.com"].body
        Outbox.objects.all().delete()


@pytest.mark.parametrize("check", ["*", "~", "$", "=", "U", "0"])
def test_the_mailed_link_opens_a_case_of_a_code_made_before_november_2026(
    wards: tuple[Unit, Unit], addresses: dict[str, User], check: str
) -> None:
    """Those ended in a mod-37 check symbol; four of them are percent-encoded in a link."""
    value = MOD37.index(check)  # the body "000000XY" spells a value ≡ it (mod 37)
    old = f"PA-0000-00{ALPHABET[value >> 5]}{ALPHABET[value & 31]}-{check}"
    case = submitted(wards[0], **SENDER)
    Case.objects.filter(pk=case.pk).update(code=old)
    case = case_start(actor=addresses["manager"], case=Case.objects.get(pk=case.pk))
    case_answer(actor=addresses["manager"], case=case, answer="Đã xong.")
    link = re.search(r"/gop-y/tra-cuu/\?ma=\S+", queued("answer")["mai@example.com"].body)
    assert link is not None
    page = Client().get(link.group())
    assert page.status_code == 200 and old in page.content.decode()


def test_reminders_go_to_the_unit_and_escalations_also_to_its_coordinators(
    wards: tuple[Unit, Unit], addresses: dict[str, User]
) -> None:
    monday = timezone.make_aware(dt.datetime(2027, 3, 1, 9))
    case = submitted(wards[0], now=monday, **SENDER)
    assert case.due_on == dt.date(2027, 3, 15)
    cases_escalate(now=monday + dt.timedelta(days=11))  # Friday 12/3: one working day left
    assert set(queued("remind")) == {UNIT_ONE, "manager@thanhhoa.gov.vn"}
    cases_escalate(now=monday + dt.timedelta(days=15))
    escalated = queued("escalate")
    assert set(escalated) == {UNIT_ONE, "manager@thanhhoa.gov.vn", "coordinator@thanhhoa.gov.vn"}
    assert escalated["coordinator@thanhhoa.gov.vn"].audience == Outbox.Audience.COORDINATOR
    assert "quá hạn" in escalated[UNIT_ONE].body and "overdue" in escalated[UNIT_ONE].body
    cases_escalate(now=monday + dt.timedelta(days=16))
    assert Outbox.objects.filter(step="escalate").count() == 3  # once


def test_a_rolled_back_step_queues_nothing(
    wards: tuple[Unit, Unit], addresses: dict[str, User]
) -> None:
    case = submitted(wards[0], **SENDER)
    case = case_start(actor=addresses["manager"], case=case)
    before = Outbox.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        case_answer(actor=addresses["manager"], case=case, answer="Đã xử lý")
        assert Outbox.objects.count() == before + 1
        raise RuntimeError("the request failed after the step")
    with pytest.raises(CaseRefused):
        case_answer(actor=addresses["manager"], case=case, answer="  ")
    with pytest.raises(CaseRefused):
        case_submit(unit=wards[0], kind="complaint", text="", **SENDER)
    assert Outbox.objects.count() == before
    assert outbox_send()["sent"] == before


def test_sending_twice_sends_once(
    wards: tuple[Unit, Unit], addresses: dict[str, User], mailoutbox: list[mail.EmailMessage]
) -> None:
    submitted(wards[0], **SENDER)
    assert outbox_send() == {"sent": 3, "failed": 0, "given_up": 0}
    assert outbox_send() == {"sent": 0, "failed": 0, "given_up": 0}
    call_command("cases", "tick")
    assert len(mailoutbox) == 3
    first = next(m for m in mailoutbox if m.to == ["mai@example.com"])
    assert first.from_email == "hailong@localhost" and "Tracking code" in first.body
    assert not Outbox.objects.filter(sent_at__isnull=True).exists()


@override_settings(HAILONG_EMAIL_ATTEMPTS=3)
def test_a_failing_backend_is_retried_then_given_up(
    wards: tuple[Unit, Unit],
    mailoutbox: list[mail.EmailMessage],
    caplog: pytest.LogCaptureFixture,
) -> None:
    submitted(wards[0], email="mai@example.com")
    message = Outbox.objects.get()
    now = timezone.now() + dt.timedelta(seconds=1)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=SMTPException("421 try again later"),
    ) as backend:
        assert outbox_send(now=now)["failed"] == 1
        assert outbox_send(now=now)["failed"] == 0  # not yet: the next try is minutes later
        for minutes in (6, 17):
            outbox_send(now=now + dt.timedelta(minutes=minutes))
        assert backend.call_count == 3
        for days in (1, 2):
            assert outbox_send(now=now + dt.timedelta(days=days)) == {
                "sent": 0,
                "failed": 0,
                "given_up": 0,
            }
        assert backend.call_count == 3  # stops after three attempts
    message.refresh_from_db()
    assert message.attempts == 3 and message.sent_at is None
    assert "421 try again later" in message.last_error
    assert "given up" in caplog.text and "mai@example.com" not in caplog.text
    assert outbox_send(now=now + dt.timedelta(days=3))["sent"] == 0 and mailoutbox == []


def test_pending_messages_to_a_deleted_contact_are_dropped(
    wards: tuple[Unit, Unit], addresses: dict[str, User]
) -> None:
    manager = addresses["manager"]
    case = submitted(wards[0], **SENDER)
    outbox_send()
    case = case_start(actor=manager, case=case)
    case = case_answer(actor=manager, case=case, answer="Đã xử lý")
    case_close(actor=manager, case=case)
    assert Outbox.objects.filter(audience="sender", sent_at__isnull=True).count() == 2
    done = cases_escalate(now=timezone.now() + dt.timedelta(days=31))
    assert done["contacts_deleted"] == 1 and done["mails_dropped"] == 2
    assert not CaseContact.objects.exists()
    assert not Outbox.objects.filter(to="mai@example.com").exists()  # sent ones held the address
    assert Outbox.objects.filter(audience="unit").count() == 2


def test_a_run_stops_at_the_first_failure_and_the_others_go_next_time(
    wards: tuple[Unit, Unit], addresses: dict[str, User], mailoutbox: list[mail.EmailMessage]
) -> None:
    submitted(wards[0], **SENDER)  # three messages
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=TimeoutError("timed out"),
    ) as backend:
        assert outbox_send() == {"sent": 0, "failed": 1, "given_up": 0}
        assert backend.call_count == 1
    assert outbox_send()["sent"] == 2  # the failed one waits its turn
    assert outbox_send(now=timezone.now() + dt.timedelta(minutes=6))["sent"] == 1
    assert len(mailoutbox) == 3
