"""Properties of the engine's figures (hypothesis) and the coverage of its intervals."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.measurement import Aggregation, builtin_instruments
from hailong.measurement.engine import Engine, Spec

DESK = next(i for i, _ in builtin_instruments() if i.code == "desk-quick")
CODES = [q.code for q in DESK.questions() if q.scale.type == "ordinal"]

answer = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
respondent = st.fixed_dictionaries({"unit_id": st.integers(0, 3), **{c: answer for c in CODES}})


def compute(rows: list[dict[str, Any]], spec: Spec) -> list[dict[str, Any]]:
    con = duckdb.connect()
    data = {"unit_id": pa.array([r["unit_id"] for r in rows], pa.int32())}
    for c in CODES:
        data[c] = pa.array([r[c] for r in rows], pa.int16())
    con.register("answers", pa.table(data))
    return Engine(DESK).compute(con, "answers", spec)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(respondent, min_size=1, max_size=60))
def test_every_figure_lies_in_its_bounds_and_inside_its_interval(
    rows: list[dict[str, Any]],
) -> None:
    for r in compute(rows, Spec(by=("unit_id",))):
        if r["index"] is None:
            assert r["low"] is None and r["high"] is None
            continue
        assert 0.0 <= r["index"] <= 100.0 + 1e-9
        if r["low"] is not None:
            assert 0.0 <= r["low"] <= r["index"] + 1e-9 <= r["high"] + 2e-9 <= 100.0 + 3e-9


@settings(max_examples=30, deadline=None)
@given(st.lists(respondent, min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_the_order_of_the_answers_changes_nothing(
    rows: list[dict[str, Any]], rnd: random.Random
) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    key = lambda r: (r["unit_id"], r["level"], r["code"])  # noqa: E731
    a = sorted(compute(rows, Spec(by=("unit_id",))), key=key)
    b = sorted(compute(shuffled, Spec(by=("unit_id",))), key=key)
    for x, y in zip(a, b, strict=True):
        for field in ("index", "low", "high", "n"):
            if x[field] is None:
                assert y[field] is None
            else:
                assert abs(x[field] - y[field]) < 1e-9


@settings(max_examples=30, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40))
def test_a_factor_of_one_item_equals_that_item(rows: list[dict[str, Any]]) -> None:
    by_key = {
        (r["unit_id"], r["level"], r["code"]): r for r in compute(rows, Spec(by=("unit_id",)))
    }
    for (unit, level, code), r in by_key.items():
        if level == "factor":
            item = next(q.code for q in DESK.items(code))
            assert r["index"] == by_key[(unit, "item", item)]["index"]


def simulate(reps: int, n: int, probabilities: list[list[float]], seed: int) -> pa.Table:
    """``reps`` independent samples of ``n`` respondents; item answers correlated through a
    shared respondent draw so that composites feel the shared-respondent covariance."""
    rng = random.Random(seed)
    rep_col, cols = [], {c: [] for c in CODES}
    for rep in range(reps):
        for _ in range(n):
            u = rng.random()
            rep_col.append(rep)
            for c, probs in zip(CODES, probabilities, strict=True):
                v = u if rng.random() < 0.6 else rng.random()  # correlation between items
                cum, value = 0.0, 5
                for level, p in enumerate(probs, start=1):
                    cum += p
                    if v < cum:
                        value = level
                        break
                cols[c].append(None if rng.random() < 0.05 else value)
    return pa.table(
        {
            "rep": pa.array(rep_col, pa.int32()),
            **{c: pa.array(v, pa.int16()) for c, v in cols.items()},
        }
    )


def test_95_percent_intervals_cover_the_true_value_93_to_97_percent_of_the_time() -> None:
    probabilities = [
        [0.05, 0.07, 0.10, 0.45, 0.33],
        [0.08, 0.10, 0.12, 0.40, 0.30],
        [0.03, 0.05, 0.09, 0.48, 0.35],
        [0.06, 0.08, 0.11, 0.44, 0.31],
        [0.10, 0.12, 0.15, 0.38, 0.25],
        [0.04, 0.06, 0.10, 0.46, 0.34],
    ]
    truth_item = 100 * (probabilities[0][3] + probabilities[0][4])
    truth_overall = 100 * (probabilities[5][3] + probabilities[5][4])  # direct overall: tong_the
    truth_f = {
        q.factor: 100 * (p[3] + p[4]) for q, p in zip(DESK.items(), probabilities, strict=False)
    }
    truth_mean_factors = sum(truth_f.values()) / len(truth_f)
    reps = 1500
    con = duckdb.connect()
    con.register("answers", simulate(reps, 120, probabilities, seed=20261127))
    rows = Engine(DESK).compute(con, "answers", Spec(by=("rep",), cluster=None))
    hits_item = sum(
        r["low"] <= truth_item <= r["high"]
        for r in rows
        if r["level"] == "item" and r["code"] == CODES[0]
    )
    hits_overall = sum(
        r["low"] <= truth_overall <= r["high"] for r in rows if r["level"] == "overall"
    )
    assert 0.93 <= hits_item / reps <= 0.97, hits_item / reps
    assert 0.93 <= hits_overall / reps <= 0.97, hits_overall / reps
    # a mean of factors (items sharing respondents): the linearization must hold coverage too
    mean_of_factors = dataclasses.replace(DESK, aggregation=Aggregation())
    rows = Engine(mean_of_factors).compute(con, "answers", Spec(by=("rep",), cluster=None))
    hits = sum(r["low"] <= truth_mean_factors <= r["high"] for r in rows if r["level"] == "overall")
    assert 0.93 <= hits / reps <= 0.97, hits / reps


# Respondents who mostly give the same answer, so that whole units sit at 100 (or 0) or
# vary by a single answer: where the linearized interval of a composite collapses.
steady = st.sampled_from([1, 5]).flatmap(
    lambda v: st.lists(
        st.fixed_dictionaries(
            {
                "unit_id": st.integers(0, 2),
                **{c: st.one_of(st.just(v), st.just(v), st.just(v), answer) for c in CODES},
            }
        ),
        min_size=2,
        max_size=40,
    )
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(steady, st.lists(respondent, min_size=2, max_size=60)), st.booleans())
def test_composite_intervals_stay_in_bounds_contain_the_index_and_never_collapse(
    rows: list[dict[str, Any]], mean_of_factors: bool
) -> None:
    instrument = dataclasses.replace(DESK, aggregation=Aggregation()) if mean_of_factors else DESK
    con = duckdb.connect()
    data = {"unit_id": pa.array([r["unit_id"] for r in rows], pa.int32())}
    for c in CODES:
        data[c] = pa.array([r[c] for r in rows], pa.int16())
    con.register("answers", pa.table(data))
    for spec in (Spec(by=("unit_id",)), Spec(by=())):
        for r in Engine(instrument).compute(con, "answers", spec):
            if r["level"] == "item" or r["index"] is None or r["se"] is None:
                continue
            assert 0.0 <= r["low"] <= r["index"] + 1e-9
            assert r["index"] <= r["high"] + 1e-9 <= 100.0 + 2e-9
            assert r["high"] - r["low"] > 0.1, r  # n is finite: never a point


def test_composite_intervals_near_100_percent_cover_the_truth_for_small_samples() -> None:
    """Units where almost everyone is satisfied (true shares 97–99.5 %) and samples are small:
    the linearized interval alone collapses whenever a sample is all satisfied and covers
    far below 95 %; with the Wilson floor coverage holds."""
    probabilities = [
        [0.005, 0.005, 0.01, 0.20, 0.78],
        [0.0, 0.005, 0.005, 0.19, 0.80],
        [0.005, 0.005, 0.02, 0.30, 0.67],
        [0.0, 0.0, 0.005, 0.095, 0.90],
        [0.01, 0.0, 0.01, 0.28, 0.70],
        [0.0, 0.005, 0.01, 0.185, 0.80],
    ]
    top = [100 * (p[3] + p[4]) for p in probabilities]
    truth_f = {q.factor: t for q, t in zip(DESK.items(), top, strict=False)}
    truth_mean = sum(truth_f.values()) / len(truth_f)
    mean_of_factors = dataclasses.replace(DESK, aggregation=Aggregation())
    reps = 1500
    for n, seed in ((12, 1), (17, 2), (30, 3)):
        con = duckdb.connect()
        con.register("answers", simulate(reps, n, probabilities, seed=20261128 + seed))
        rows = Engine(mean_of_factors).compute(con, "answers", Spec(by=("rep",), cluster=None))
        overall = [r for r in rows if r["level"] == "overall" and r["low"] is not None]
        hits = sum(r["low"] <= truth_mean <= r["high"] for r in overall)
        collapsed = sum(r["low"] == r["high"] for r in overall)
        assert collapsed == 0
        assert hits / len(overall) >= 0.93, (n, hits / len(overall))
        for f, truth in truth_f.items():
            factor = [r for r in rows if r["code"] == f and r["low"] is not None]
            hits = sum(r["low"] <= truth <= r["high"] for r in factor)
            assert hits / len(factor) >= 0.93, (n, f, hits / len(factor))
