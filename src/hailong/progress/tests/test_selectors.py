"""The board's counts equal counts made independently from the stored answers."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.progress.selectors import (
    board_build,
    board_scope,
    period_elapsed,
    top_condition,
    top_expression,
)
from hailong.units.models import Unit

from .conftest import Answer, local

pytestmark = pytest.mark.django_db
CHANNELS = [("web", "online"), ("qr", "desk_qr"), ("kiosk", "kiosk"), ("paper", "paper")]


def test_counts_per_unit_channel_and_day_match_the_answers(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    today = timezone.localdate()
    for _ in range(240):
        day = today - dt.timedelta(days=rng.randint(0, 9))
        source, mode = rng.choice(CHANNELS)
        answer(
            units[rng.choice("abc")],
            local(day, rng.randint(0, 23), rng.randint(0, 59)),  # late hours test the time zone
            overall=rng.randint(1, 5),
            source=source,
            collection_mode=mode,
            review=rng.choice(["accepted"] * 6 + ["flagged", "rejected"]),
        )
    user = User.objects.create_user("dp")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    scope = board_scope(user=user)
    assert scope is not None and scope.whole
    board = board_build(campaign=campaign, scope=scope, today=today)

    stored = list(Response.objects.filter(campaign=campaign))
    per_unit = Counter((r.unit_id, r.review) for r in stored)
    for row in board.units:
        assert row.counts.accepted == per_unit[(row.unit_id, "accepted")]
        assert row.counts.flagged == per_unit[(row.unit_id, "flagged")]
        assert row.counts.rejected == per_unit[(row.unit_id, "rejected")]
        kept = [r for r in stored if r.unit_id == row.unit_id and r.review != "rejected"]
        assert sum(n for n, _t in row.days.values()) == len(kept)
        assert sum(t for _n, t in row.days.values()) == sum(
            r.answers["tong_the"] == 5 for r in kept
        )
    per_channel = Counter((r.source, r.collection_mode, r.review) for r in stored)
    for c in board.channels:
        assert c["counts"].accepted == per_channel[(c["source"], c["mode"], "accepted")]
        assert c["counts"].rejected == per_channel[(c["source"], c["mode"], "rejected")]
    per_day = Counter((timezone.localtime(r.submitted_at).date(), r.review) for r in stored)
    assert {d["day"]: d["counts"].accepted for d in board.days} == {
        day: n for (day, review), n in per_day.items() if review == "accepted"
    }
    assert board.totals["accepted"] == sum(r.review == "accepted" for r in stored)
    assert board.totals["quota"] == 240


def test_units_furthest_behind_come_first_and_pace_follows_the_calendar(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    today = timezone.localdate()
    past, total = period_elapsed(campaign, today)
    assert (past, total) == (10, 20)
    for i in range(40):
        answer(units["a"], local(today - dt.timedelta(days=1), 8, i))
    for i in range(5):
        answer(units["b"], local(today - dt.timedelta(days=1), 8, i))
    user = User.objects.create_user("dp")
    RoleAssignment.objects.create(user=user, role=Role.AUDITOR, unit=None)
    board = board_build(campaign=campaign, scope=board_scope(user=user), today=today)  # type: ignore[arg-type]
    assert [u.name for u in board.units] == ["Xã Đông Thịnh", "Xã Đông Tiến", "Phường Hạc Thành"]
    a = board.units[-1]
    assert a.expected == 50 and a.pace == 80 and a.share_of_quota == 40 and a.bar == 40


def test_a_unit_manager_sees_only_their_subtree(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    answer(units["a"], timezone.now())
    answer(units["b"], timezone.now(), overall=5)
    user = User.objects.create_user("tp")
    RoleAssignment.objects.create(user=user, role=Role.UNIT_MANAGER, unit=units["a"])
    scope = board_scope(user=user)
    assert scope is not None and not scope.whole
    board = board_build(campaign=campaign, scope=scope)
    assert [u.name for u in board.units] == ["Phường Hạc Thành"]
    assert board.totals["accepted"] == 1 and sum(c["counts"].accepted for c in board.channels) == 1
    assert board.province_top == (2, 1)  # the reference is the whole province


@pytest.mark.parametrize("role", [Role.CLERK, None])
def test_clerks_and_people_without_a_role_have_no_board(role: str | None) -> None:
    user = User.objects.create_user("x")
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=None)
    assert board_scope(user=user) is None


def test_without_an_overall_question_the_top_answer_is_every_item_at_the_top(
    campaign: Campaign, units: dict[str, Unit]
) -> None:
    from hailong.instruments.models import InstrumentVersion

    campaign.instrument = InstrumentVersion.objects.get(code="sipas-2017-province")
    campaign.save()
    condition, kind = top_condition(campaign)
    assert kind == "every_item"
    items = [q.code for q in campaign.instrument.to_core().items()]
    rows = {
        "all": dict.fromkeys(items, 5),
        "one_na": {k: 5 for k in items[1:]},  # "not applicable" is absent, never 0
        "one_four": {**dict.fromkeys(items, 5), items[3]: 4},
        "empty": {},
    }
    for key, answers in rows.items():
        Response.objects.create(
            receipt=key, idempotency_key=key, campaign=campaign, instrument=campaign.instrument,
            unit=units["a"], submitted_at=timezone.now(), source="web", collection_mode="online",
            answers=answers,
        )  # fmt: skip
    found = set(Response.objects.filter(condition).values_list("receipt", flat=True))
    assert found == {"all", "one_na"}
    fast, _kind = top_expression(campaign)  # the one-lookup SQL form agrees
    flagged = Response.objects.annotate(top=fast).filter(top=1).values_list("receipt", flat=True)
    assert set(flagged) == {"all", "one_na"}


def test_the_overall_question_decides_the_top_answer_when_there_is_one(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    for overall in (5, 4, 5):
        answer(units["a"], timezone.now(), overall=overall)
    fast, kind = top_expression(campaign)
    assert kind == "overall"
    assert Response.objects.annotate(top=fast).filter(top=1).count() == 2


def test_devices_desks_and_bursts_are_read_from_the_answers(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    """A desk far busier than six others, and a kiosk's twelve answers in four minutes."""
    from hailong.kiosks.models import Kiosk
    from hailong.progress.alerts import alerts_collect
    from hailong.units.models import Desk

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for i in range(7):
        desk = Desk.objects.create(unit=units["a"], code=f"quay-{i}", name=f"Quầy số {i}")
        for m in range(120 if i == 6 else 25 + i):
            answer(units["a"], local(yesterday, 7, 0) + dt.timedelta(minutes=4 * m), desk=desk,
                   source="qr", collection_mode="desk_qr")  # fmt: skip
    kiosk = Kiosk.objects.create(name="Ki-ốt sảnh", unit=units["b"], prefix="k1", secret_hash="h")
    for m in range(5):  # the usual: a few answers in the morning, then twelve in four minutes
        answer(units["b"], local(yesterday, 8, 10 * m), source="kiosk", collection_mode="kiosk",
               device=kiosk.device)  # fmt: skip
    for s in range(12):
        answer(units["b"], local(yesterday, 14) + dt.timedelta(seconds=20 * s), source="kiosk",
               collection_mode="kiosk", device=kiosk.device)  # fmt: skip
    user = User.objects.create_user("dp")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    board = board_build(campaign=campaign, scope=board_scope(user=user))  # type: ignore[arg-type]
    found = alerts_collect(board, whole=True)
    volume = [a for a in found if a.kind == "volume"]
    assert len(volume) == 1 and "Quầy số 6" in volume[0].text and "120" in volume[0].text
    bursts = [a for a in found if a.kind == "burst"]
    assert [a.unit_id for a in bursts] == [units["b"].pk]
    assert "12" in bursts[0].text and "14:00" in bursts[0].text


def test_past_days_are_counted_once_and_again_only_when_one_of_their_answers_changes(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from hailong.collection.services import Incoming, responses_import, responses_review
    from hailong.progress.selectors import campaign_counts

    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    for _ in range(3):
        answer(units["a"], local(yesterday, 10))
    flagged = answer(units["b"], local(yesterday, 11), review="flagged")
    answer(units["a"], local(today, 8))
    scans: list[int] = []

    def counts() -> Counter[tuple[int, str, str]]:
        # a minute passes: the refresh interval, and the few seconds a commit may be in flight;
        # today's answers stay after midnight (the test may run at 00:02 in Hanoi)
        Response.objects.filter(submitted_at__lt=local(today, 0)).update(
            changed_at=F("changed_at") - dt.timedelta(minutes=1)
        )
        kept = cache.get(f"progress:past:{campaign.pk}")
        if kept:
            kept["counted_at"] -= dt.timedelta(minutes=1)
            cache.set(f"progress:past:{campaign.pk}", kept)
        cache.delete(f"progress:counts:{campaign.pk}")
        with CaptureQueriesContext(connection) as queries:
            found = campaign_counts(campaign)
        scans.append(sum("GROUP BY" in q["sql"] for q in queries.captured_queries))
        tally: Counter[tuple[int, str, str]] = Counter()
        for unit_id, day, review, _source, _mode, n, _top in found:
            tally[(unit_id, str(day), review)] += n
        return tally

    def truth() -> Counter[tuple[int, str, str]]:
        return Counter(
            (r.unit_id, str(timezone.localtime(r.submitted_at).date()), r.review)
            for r in Response.objects.filter(campaign=campaign)
        )

    assert counts() == truth() and scans[-1] == 2  # the past days, then today
    answer(units["c"], local(today, 9))
    assert counts() == truth() and scans[-1] == 1  # a new answer today: today only
    # yesterday's flagged answer accepted today: the past days are counted again
    with transaction.atomic():
        responses_review(actor=None, ids=[flagged.pk], decision="accepted", reason="đã gọi lại")
    assert counts() == truth() and scans[-1] == 2
    assert counts() == truth() and scans[-1] == 1
    # a paper form of yesterday typed today counts on its own day
    late = Incoming(key="muon-1", submitted_at=local(yesterday, 15), answers={"tong_the": 5})
    responses_import(
        campaign=campaign, unit=units["b"], incoming=[late], source="paper", collection_mode="paper"
    )
    assert counts() == truth() and scans[-1] == 2
    assert counts() == truth() and scans[-1] == 1
