"""The submission path's shortcuts give exactly what the plain computation gives."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.collection.intake import Intake
from hailong.collection.integrity import (
    MIN_SECONDS,
    SECONDS_PER_ANSWER,
    STRAIGHT_LINE_ITEMS,
    answer_flags,
    client_hash,
)
from hailong.collection.writer import answers_json, fingerprint, fingerprint_of, pending_new

answer_sets = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(
        st.integers(-(2**40), 2**40),
        st.lists(st.integers(1, 99), max_size=4),
        st.text(max_size=20),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    max_size=25,
)
ids = st.integers(1, 2**31 - 1)
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # busy machines


@relaxed
@given(answer_sets, ids, ids, st.none() | ids)
def test_the_fingerprint_from_the_answers_encoded_once_is_the_stored_one(
    answers: dict[str, Any], campaign: int, unit: int, service: int | None
) -> None:
    """A replay of an answer stored before the shortcut must still match its fingerprint."""
    plain = fingerprint(campaign_id=campaign, unit_id=unit, service_id=service, answers=answers)
    once = answers_json(answers)
    assert plain == fingerprint_of(
        campaign_id=campaign, unit_id=unit, service_id=service, encoded=once
    )


@relaxed
@given(answer_sets, answer_sets, st.lists(st.sampled_from(["too_fast", "honeypot"])))
def test_a_pending_row_is_the_same_with_or_without_the_encoding_given(
    answers: dict[str, Any], profile: dict[str, Any], flags: list[str]
) -> None:
    profile = {f"p_{k}": v for k, v in profile.items()}
    common = dict(
        key="web-1",
        campaign_id=3,
        instrument_id=1,
        unit_id=7,
        service_id=None,
        year=2026,
        source="web",
        collection_mode="online",
        submitted_at=dt.datetime.now(dt.UTC),
        answers=answers,
        profile=profile,
        flags=flags,
    )
    plain = pending_new(**common)  # type: ignore[arg-type]
    given_json = pending_new(**common, sorted_json=answers_json({**answers, **profile}))  # type: ignore[arg-type]
    assert plain.fingerprint == given_json.fingerprint
    for row in (plain, given_json):
        stored_answers, stored_profile, stored_flags = (
            json.loads(e) for e in (row.answers, row.profile, row.flags)
        )
        assert stored_answers == json.loads(answers_json(answers))
        assert stored_profile == json.loads(answers_json(profile))
        assert stored_flags == flags


@relaxed
@given(st.floats(0, 4_000_000_000), st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Berlin"]))
def test_the_day_kept_between_answers_is_the_local_date(now: float, zone: str) -> None:
    intake = Intake()
    intake.tz = ZoneInfo(zone)
    for moment in (now, now + 3600 * 13, now + 86_400, now - 1):  # across midnights and DST
        assert intake._today(moment) == dt.datetime.fromtimestamp(moment, intake.tz).date()


def test_an_address_is_hashed_once_a_day_with_that_day_s_salt() -> None:
    # in a thread of its own: a browser test earlier in the run may have left its loop running
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _hashed_once_a_day()).result()


async def _hashed_once_a_day() -> None:
    intake = Intake()
    now = time.time()
    today = intake._today(now)
    intake.salts._day, intake.salts._salt = today, b"a" * 32
    first = await intake._client_hash("203.0.113.9", now)
    assert first == client_hash("203.0.113.9", b"a" * 32)
    assert await intake._client_hash("203.0.113.9", now) == first
    assert await intake._client_hash("203.0.113.10", now) != first
    intake.salts._salt = b"b" * 32  # the next day's salt
    assert await intake._client_hash("203.0.113.9", now) == client_hash("203.0.113.9", b"b" * 32)


@relaxed
@given(
    st.lists(st.integers(1, 5), max_size=25),
    st.none() | st.integers(0, 200),
    st.booleans(),
    st.booleans(),
)
def test_flags_say_why_an_answer_waits_for_review(
    items: list[int], seconds: int | None, honeypot: bool, duplicate: bool
) -> None:
    answered = len(items) + 3
    flags = answer_flags(
        item_answers=items,
        answered=answered,
        fill_seconds=seconds,
        honeypot=honeypot,
        duplicate=duplicate,
    )
    fastest = max(MIN_SECONDS, SECONDS_PER_ANSWER * answered)
    assert ("honeypot" in flags) == honeypot and ("near_duplicate" in flags) == duplicate
    assert ("too_fast" in flags) == (seconds is not None and seconds < fastest)
    straight = len(items) >= STRAIGHT_LINE_ITEMS and len(set(items)) == 1
    fast = seconds is not None and fastest <= seconds < 2 * fastest
    assert ("straight_line" in flags) == (straight and fast)
