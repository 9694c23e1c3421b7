"""The case lifecycle: each step in order, by the right person, logged; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from hailong.accounts.models import User
from hailong.audit.models import AuditEntry
from hailong.audit.selectors import audit_verify
from hailong.cases.models import Case, CaseContact, CaseEvent
from hailong.cases.selectors import unit_case_stats
from hailong.cases.services import (
    CaseRefused,
    case_answer,
    case_assign,
    case_close,
    case_consent,
    case_reopen,
    case_start,
    case_submit,
    cases_escalate,
)
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        CaseContact.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def sent(unit: Unit, **extra: object) -> Case:
    return case_submit(unit=unit, kind="complaint", text="Cán bộ hẹn trả kết quả trễ", **extra)  # type: ignore[arg-type]


def test_a_complaint_is_tagged_assigned_to_its_unit_and_logged(wards: tuple[Unit, Unit]) -> None:
    case = sent(wards[0], name="Nguyễn Văn A", phone="0912 345 678")
    assert case.status == Case.Status.ASSIGNED and case.unit == wards[0]
    assert case.tone == "complaint" and "F4" in case.factors
    assert case.due_on > timezone.localdate()
    assert CaseContact.objects.get(case=case).phone == "0912 345 678"
    assert list(case.events.values_list("action", flat=True)) == ["submit", "assign"]
    entries = AuditEntry.objects.filter(action__startswith="case.")
    assert [e.action for e in entries.order_by("seq")] == ["case.submit", "case.assign"]
    assert all("0912" not in str(e.data) and "Nguyễn" not in str(e.data) for e in entries)
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"text": "   "}, "đang để trống"),
        ({"text": "x" * 2001}, "quá giới hạn 2000"),
        ({"kind": "praise"}, "phản ánh hoặc kiến nghị"),
        ({"receipt": "2026-0000-0000-Z"}, "số biên nhận"),
        ({"phone": "gọi tôi"}, "số điện thoại"),
        ({"email": "khong-phai-thu"}, "thư điện tử"),
        ({"honeypot": "http://spam"}, "không gửi được"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    wards: tuple[Unit, Unit], changes: dict[str, str], said: str
) -> None:
    before = snapshot()
    arguments = {"unit": wards[0], "kind": "complaint", "text": "Phòng chờ nóng", **changes}
    with pytest.raises(CaseRefused) as refused:
        case_submit(**arguments)  # type: ignore[arg-type]
    assert said in refused.value.vi and refused.value.en
    assert snapshot() == before


def test_a_unit_past_its_last_day_in_hanoi_is_refused_even_while_utc_is_still_on_it(
    wards: tuple[Unit, Unit],
) -> None:
    """01:00 on 1 July in Hanoi is 18:00 on 30 June in UTC: the unit that ended on 30 June
    takes nothing more, its successor does."""
    Unit.objects.filter(pk=wards[0].pk).update(valid_to=dt.date(2025, 6, 30))
    ended = Unit.objects.get(pk=wards[0].pk)
    after = dt.datetime(2025, 6, 30, 18, 0, tzinfo=dt.UTC)
    before = snapshot()
    with pytest.raises(CaseRefused, match="no longer exists"):
        sent(ended, now=after)
    assert snapshot() == before
    assert sent(ended, now=after - dt.timedelta(hours=1, seconds=1)).unit == ended  # 23:59:59


@override_settings(HAILONG_CASE_PER_HOUR=2)
def test_one_address_may_send_only_so_many_an_hour(wards: tuple[Unit, Unit]) -> None:
    sent(wards[0], client_hash="a" * 32)
    sent(wards[0], client_hash="a" * 32)
    with pytest.raises(CaseRefused, match="too many"):
        sent(wards[0], client_hash="a" * 32)
    sent(wards[0], client_hash="b" * 32)  # another address is not held back
    assert Case.objects.count() == 3


def test_the_unit_answers_in_order_and_the_sender_may_reopen(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    case = sent(wards[0])
    manager = staff["manager"]
    with pytest.raises(CaseRefused, match="cannot answer"):
        case_answer(actor=manager, case=case, answer="Đã xử lý")
    with pytest.raises(CaseRefused, match="cannot close"):
        case_close(actor=manager, case=case)
    case = case_start(actor=manager, case=case)
    with pytest.raises(CaseRefused, match="empty"):
        case_answer(actor=manager, case=case, answer="  ")
    case = case_answer(actor=manager, case=case, answer="Đơn vị đã nhắc nhở cán bộ.")
    assert case.status == Case.Status.ANSWERED and case.answered_by == manager
    with pytest.raises(CaseRefused, match="empty"):
        case_reopen(case=case, reason="")
    case = case_reopen(case=case, reason="Vẫn chưa nhận được kết quả")
    assert case.status == Case.Status.IN_PROGRESS
    case = case_answer(actor=manager, case=case, answer="Đã trả kết quả ngày 27/11.")
    case = case_close(actor=manager, case=case)
    assert case.status == Case.Status.CLOSED
    late = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(CaseRefused, match="within 10 days"):
        case_reopen(case=case, reason="Lại chưa ổn", now=late)
    steps = list(case.events.values_list("action", "from_status", "to_status"))
    assert steps[-1] == ("close", "answered", "closed")
    assert AuditEntry.objects.filter(action="case.reopen", object_id=str(case.pk)).count() == 1


def test_a_unit_that_does_not_own_the_case_cannot_touch_it(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    case = sent(wards[0])
    before = snapshot()
    for who in ("manager2", "auditor", "clerk", "viewer"):
        with pytest.raises(CaseRefused, match="not yours"):
            case_start(actor=staff[who], case=case)
    with pytest.raises(CaseRefused, match="not yours"):
        case_assign(actor=staff["manager"], case=case, unit=wards[1])
    assert snapshot() == before
    case = case_assign(actor=staff["coordinator"], case=case, unit=wards[1], note="Sai đơn vị")
    assert case.unit == wards[1]
    with pytest.raises(CaseRefused, match="not yours"):
        case_start(actor=staff["manager"], case=case)
    assert case_start(actor=staff["manager2"], case=case).status == Case.Status.IN_PROGRESS


def test_published_only_when_both_sides_agree(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    case = sent(wards[0], consent=True)
    case = case_consent(case=case, side="unit", agree=True, actor=staff["manager"])
    assert not case.published  # not answered yet
    case = case_start(actor=staff["manager"], case=case)
    case = case_answer(actor=staff["manager"], case=case, answer="Cảm ơn góp ý.")
    assert case.published
    case = case_consent(case=case, side="sender", agree=False)
    assert not case.published


def test_reminders_then_escalation_then_contacts_deleted(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    long_ago = timezone.now() - dt.timedelta(days=30)
    overdue = sent(wards[0], now=long_ago, name="Chị Lan")
    fresh = sent(wards[0])
    assert cases_escalate()["escalated"] == 1
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert overdue.events.filter(action="escalate").exists()
    assert cases_escalate()["escalated"] == 0  # only once
    soon = timezone.now() + dt.timedelta(days=15)  # two weeks on, the fresh case is due soon
    with override_settings(HAILONG_CASE_REMIND_DAYS=3):
        done = cases_escalate(now=soon - dt.timedelta(days=3))
    fresh.refresh_from_db()
    assert done["reminded"] + done["escalated"] >= 1 and fresh.reminded_at is not None
    overdue = case_start(actor=staff["manager"], case=overdue)
    overdue = case_answer(actor=staff["manager"], case=overdue, answer="Đã xử lý")
    overdue = case_close(actor=staff["manager"], case=overdue)
    assert cases_escalate()["contacts_deleted"] == 0
    assert cases_escalate(now=timezone.now() + dt.timedelta(days=31))["contacts_deleted"] == 1
    assert not CaseContact.objects.filter(case=overdue).exists()
    stats = unit_case_stats(units=[wards[0]])
    assert stats.received == 2 and stats.answered == 1 and stats.on_time == 0
    assert stats.mean_days is not None and stats.mean_days >= 29
