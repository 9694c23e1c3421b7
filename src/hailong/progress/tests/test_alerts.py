"""Each alert rule on constructed figures: it speaks up when it should and stays quiet on normal data."""

from __future__ import annotations

import datetime as dt
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from hailong.progress import alerts
from hailong.progress.alerts import (
    burst_alerts,
    densest,
    jump_alerts,
    pace_alerts,
    poisson_tail,
    robust_z,
    two_proportion_p,
    volume_alerts,
)
from hailong.progress.selectors import Counts, SourcePoint, UnitRow

TODAY = dt.date(2026, 11, 27)
UTC = dt.UTC


def unit(uid: int = 1, *, quota: int = 100, accepted: int = 0, expected: float = 0.0, days=None):  # type: ignore[no-untyped-def]
    return UnitRow(
        unit_id=uid, code=str(uid), name=f"Xã số {uid}", quota=quota,
        counts=Counts(accepted=accepted), expected=expected, days=days or {},
    )  # fmt: skip


# pace -----------------------------------------------------------------------------------


def test_a_unit_under_60_percent_of_the_expected_count_is_behind_and_named() -> None:
    found = pace_alerts([unit(1, accepted=20, expected=50), unit(2, accepted=30, expected=50)])
    assert [a.unit_id for a in found] == [1]
    assert "Xã số 1" in found[0].text and "20" in found[0].text and "40%" in found[0].text


def test_no_pace_alert_early_in_the_period_or_on_pace() -> None:
    assert pace_alerts([unit(1, accepted=0, expected=alerts.MIN_EXPECTED - 1)]) == []
    assert pace_alerts([unit(1, accepted=60, expected=100)]) == []


@given(st.integers(0, 1000), st.floats(0, 1000))
def test_pace_alert_exactly_when_below_the_floor(accepted: int, expected: float) -> None:
    found = pace_alerts([unit(1, accepted=accepted, expected=expected)])
    behind = expected >= alerts.MIN_EXPECTED and accepted < alerts.PACE_FLOOR * expected
    assert bool(found) == behind


# volume ---------------------------------------------------------------------------------


def points(volumes: list[int], kind: str = "kiosk") -> list[tuple[SourcePoint, int]]:
    return [
        (SourcePoint(kind, f"kiosk:k{i}", f"Ki-ốt {i}", i, f"Phường {i}"), n)
        for i, n in enumerate(volumes)
    ]


def test_a_kiosk_sending_far_more_than_its_peers_is_named_with_its_numbers() -> None:
    found = volume_alerts(points([30, 34, 28, 31, 29, 33, 240]), days=3, unit_ids=None)
    assert len(found) == 1 and found[0].unit_id == 6
    assert "Ki-ốt 6" in found[0].text and "240" in found[0].text and "Phường 6" in found[0].text


def test_no_volume_alert_among_ordinary_peers_too_few_peers_or_outside_the_scope() -> None:
    assert volume_alerts(points([30, 34, 28, 31, 29, 33, 38]), days=3, unit_ids=None) == []
    assert volume_alerts(points([30, 34, 240]), days=3, unit_ids=None) == []
    assert volume_alerts(points([30, 34, 28, 31, 29, 33, 240]), days=3, unit_ids={1, 2}) == []
    # desks are compared with desks, not with kiosks
    mixed = points([30, 34, 28, 31, 29, 33]) + points([240], kind="desk")
    assert volume_alerts(mixed, days=3, unit_ids=None) == []


@given(st.lists(st.integers(0, 500), min_size=6, max_size=30), st.integers(-100, 100))
def test_the_robust_score_ignores_a_shift_of_everyone(volumes: list[int], shift: int) -> None:
    peers = volumes[1:]
    before = robust_z(volumes[0], peers)
    after = robust_z(volumes[0] + shift, [p + shift for p in peers])
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert math.isclose(before, after, abs_tol=1e-9)


@settings(max_examples=50)
@given(st.integers(5, 40), st.integers(20, 400))
def test_identical_volumes_never_alert(peers: int, n: int) -> None:
    assert volume_alerts(points([n] * (peers + 1)), days=3, unit_ids=None) == []


# top-answer jumps -----------------------------------------------------------------------


def days_of(early: tuple[int, int], recent: tuple[int, int]) -> dict[dt.date, tuple[int, int]]:
    """(people, top) spread evenly over 7 earlier days and the 3 recent days."""
    found: dict[dt.date, tuple[int, int]] = {}
    for count, first, (n, t) in ((7, 3, early), (3, 0, recent)):
        for i in range(count):
            day = TODAY - dt.timedelta(days=first + i)
            found[day] = (n // count + (i < n % count), t // count + (i < t % count))
    return found


def test_a_unit_whose_very_satisfied_share_jumps_against_its_own_earlier_days() -> None:
    u = unit(1, days=days_of(early=(140, 42), recent=(60, 51)))  # 30% then 85%
    found = jump_alerts([u], as_of=TODAY, province=(2000, 600), tested=180)
    assert len(found) == 1 and found[0].kind == "jump" and found[0].against == "own"
    assert "85%" in found[0].text and "30%" in found[0].text and "60" in found[0].text


def test_a_unit_far_above_the_rest_of_the_province() -> None:
    u = unit(1, days=days_of(early=(140, 126), recent=(60, 54)))  # 90% throughout
    found = jump_alerts([u], as_of=TODAY, province=(5200, 1600), tested=180)
    assert len(found) == 1 and found[0].against == "province"
    assert "90%" in found[0].text and "28%" in found[0].text  # (1600 - 180) / 5000


def test_no_jump_alert_for_a_steady_unit_small_groups_or_a_small_rise() -> None:
    steady = unit(1, days=days_of(early=(140, 42), recent=(60, 18)))
    small = unit(2, days=days_of(early=(8, 3), recent=(8, 8)))  # 16 people in all
    slight = unit(3, days=days_of(early=(7000, 2100), recent=(3000, 1140)))  # +8 points
    assert jump_alerts([steady, small, slight], as_of=TODAY, province=(20000, 6000)) == []


def test_the_two_proportion_test_agrees_with_a_textbook_value() -> None:
    # 60/100 vs 40/100: pooled 0.5, z = 0.2 / sqrt(0.25 * 0.02) = 2.828, one-sided p = 0.00234
    assert math.isclose(two_proportion_p(60, 100, 40, 100), 0.002339, rel_tol=1e-3)
    assert two_proportion_p(40, 100, 60, 100) > 0.99
    assert two_proportion_p(0, 50, 0, 50) == 1.0


def test_answers_drawn_alike_alert_no_more_often_than_the_test_level() -> None:
    """200 provinces of 30 units whose recent and earlier answers share one rate.

    With the Bonferroni correction a province raises a false alarm with probability at most
    ALPHA (1%): about 2 of 200; more than 8 would mean the test is miscalibrated (P < 0,001).
    """
    rng = random.Random(2026)  # noqa: S311 - reproducible test data
    noisy = 0
    for _ in range(200):
        units = []
        for uid in range(30):
            share = rng.uniform(0.2, 0.5)
            early_n, recent_n = rng.randint(50, 200), rng.randint(20, 80)
            early = (early_n, sum(rng.random() < share for _ in range(early_n)))
            recent = (recent_n, sum(rng.random() < share for _ in range(recent_n)))
            units.append(unit(uid, days=days_of(early=early, recent=recent)))
        people = sum(n for u in units for n, _ in u.days.values())
        top = sum(t for u in units for _, t in u.days.values())
        found = jump_alerts(units, as_of=TODAY, province=(people, top))
        noisy += bool([a for a in found if a.against == "own"])
    assert noisy <= 8


# bursts ---------------------------------------------------------------------------------


def test_densest_window_and_poisson_tail() -> None:
    start = dt.datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    times = [start + dt.timedelta(minutes=m) for m in (0, 30, 31, 32, 33, 60)]
    assert densest(times, 10) == (4, 1)
    assert math.isclose(poisson_tail(2, 1.0), 1 - 2 * math.exp(-1))
    assert poisson_tail(0, 3.0) == 1.0 and poisson_tail(1, 0.0) == 0.0


def test_a_burst_at_a_desk_is_named_with_time_and_usual_rate() -> None:
    start = dt.datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    usual = [start + dt.timedelta(minutes=30 * i) for i in range(16)]
    burst = [start + dt.timedelta(hours=3, seconds=25 * i) for i in range(12)]
    found = burst_alerts(
        {(1, 7): sorted(usual + burst)}, hourly={1: 2.0}, names={1: "Phường Hạc Thành"},
        desks={7: "Quầy số 1"},
    )  # fmt: skip
    assert len(found) == 1
    text = found[0].text
    assert "Phường Hạc Thành – Quầy số 1" in text and "12" in text and "12:00" in text
    assert "27/11/2026" in text and "2,0" in text


@settings(max_examples=50)
@given(st.integers(0, 10_000), st.floats(0.5, 12))
def test_answers_arriving_at_the_usual_rate_never_look_like_a_burst(seed: int, rate: float) -> None:
    """Three opening days of a Poisson stream at the unit's own rate."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    times = []
    for day in range(3):
        at = dt.datetime(2026, 11, 24 + day, 1, 0, tzinfo=UTC)
        end = at + dt.timedelta(hours=alerts.OPEN_HOURS)
        while True:
            at += dt.timedelta(hours=rng.expovariate(rate))
            if at >= end:
                break
            times.append(at)
    assert burst_alerts({(1, None): times}, hourly={1: rate}, names={1: "X"}, desks={}) == []
