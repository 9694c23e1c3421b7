"""The index engine agrees with a plain per-respondent implementation (tests/unit/reference.py)."""

from __future__ import annotations

import random
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from hailong.measurement import Instrument, builtin_instruments, parse_instrument
from hailong.measurement.engine import Engine, Spec
from hailong.measurement.intervals import wilson

from . import reference as ref

BUILTIN = {i.code: i for i, _ in builtin_instruments()}
PROVINCE = BUILTIN["sipas-2017-province"]
NATIONAL = BUILTIN["sipas-2023-national"]
DESK = BUILTIN["desk-quick"]


def answers(
    instrument: Instrument, n: int, units: int, seed: int, *, junk: bool = False
) -> list[dict[str, Any]]:
    """Respondents with unit effects, skip logic, missing answers and (if asked) junk codes."""
    rng = random.Random(seed)
    effect = [rng.gauss(0, 0.6) for _ in range(units)]
    rows = []
    for i in range(n):
        unit = i % units
        row: dict[str, Any] = {
            "unit_id": unit,
            "kind": "ward" if unit % 3 == 0 else "commune",
            "weight": rng.choice([0.5, 1.0, 1.0, 2.5]),
        }
        lean = rng.gauss(0, 0.7)
        for q in instrument.questions():
            if q.show_if is not None and not q.show_if.holds(row):
                row[q.code] = None
                continue
            values = sorted(q.scale.values)
            if q.scale.type in ("text", "date", "number", "multi"):
                continue
            if rng.random() < 0.06:
                row[q.code] = None
                continue
            if q.role == "screening":
                row[q.code] = 1 if rng.random() < 0.3 else 2
                continue
            position = 0.55 + 0.18 * (effect[unit] + lean + rng.gauss(0, 0.8))
            row[q.code] = values[min(len(values) - 1, max(0, int(position * len(values))))]
            if junk and rng.random() < 0.02:
                row[q.code] = rng.choice([0, 7, 99])
        rows.append(row)
    return rows


def table(instrument: Instrument, rows: list[dict[str, Any]]) -> pa.Table:
    codes = [q.code for q in instrument.questions() if q.scale.type in ("ordinal", "choice")]
    data: dict[str, Any] = {
        "unit_id": pa.array([r["unit_id"] for r in rows], pa.int32()),
        "kind": pa.array([r["kind"] for r in rows]),
        "weight": pa.array([r["weight"] for r in rows], pa.float64()),
    }
    for c in codes:
        data[c] = pa.array([r.get(c) for r in rows], pa.int16())
    return pa.table(data)


def run(
    instrument: Instrument, rows: list[dict[str, Any]], spec: Spec
) -> dict[tuple[Any, ...], dict[str, Any]]:
    con = duckdb.connect()
    con.register("answers", table(instrument, rows))
    out = Engine(instrument).compute(con, "answers", spec)
    return {(*(r[k] for k in spec.by), r["level"], r["code"]): r for r in out}


def close(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


@pytest.mark.parametrize("instrument", [PROVINCE, NATIONAL, DESK], ids=lambda i: i.code)
def test_every_item_figure_matches_a_plain_count(instrument: Instrument) -> None:
    rows = answers(instrument, 900, 6, seed=1, junk=True)
    result = run(instrument, rows, Spec(by=("unit_id",)))
    for unit in range(6):
        mine = [r for r in rows if r["unit_id"] == unit]
        for q in instrument.items():
            got = result[(unit, "item", q.code)]
            valid = [r[q.code] for r in mine if r.get(q.code) in q.scale.values]
            assert got["n"] == len(valid)
            assert close(got["index"], ref.item_index(instrument, mine, q.code))
            assert got["distribution"] == [float(valid.count(v)) for v in sorted(q.scale.values)]
            assert close(got["mean_score"], sum(valid) / len(valid))
            assert close(
                got["share_satisfied"], 100 * sum(v in q.scale.top for v in valid) / len(valid)
            )
            shown = [r for r in mine if q.show_if is None or q.show_if.holds(r)]
            assert got["n_missing"] == sum(r.get(q.code) is None for r in shown)


@pytest.mark.parametrize("instrument", [PROVINCE, NATIONAL, DESK], ids=lambda i: i.code)
def test_factor_part_and_overall_indices_match_the_plain_formulas(instrument: Instrument) -> None:
    rows = answers(instrument, 1200, 5, seed=2)
    result = run(instrument, rows, Spec(by=("unit_id",)))
    for unit in range(5):
        mine = [r for r in rows if r["unit_id"] == unit]
        for f in instrument.factors:
            assert close(
                result[(unit, "factor", f.code)]["index"],
                ref.factor_index(instrument, mine, f.code),
            )
        assert close(
            result[(unit, "overall", "overall")]["index"], ref.overall_index(instrument, mine)
        )


def test_the_composite_variance_is_the_per_respondent_linearization() -> None:
    rows = answers(PROVINCE, 1500, 4, seed=3)
    result = run(PROVINCE, rows, Spec(by=("unit_id",)))
    factors = [f.code for f in PROVINCE.factors]
    for unit in range(4):
        mine = [r for r in rows if r["unit_id"] == unit]
        coef = ref.linear_coefficients(PROVINCE, mine, factors, dict.fromkeys(factors, 0.2), None)
        assert coef is not None
        expected = ref.linearized_variance(PROVINCE, mine, coef)
        assert close(result[(unit, "overall", "overall")]["se"] ** 2, expected, 1e-7)
        for f in factors:
            coef = ref.linear_coefficients(PROVINCE, mine, [f], {f: 1.0}, None)
            assert coef is not None
            assert close(
                result[(unit, "factor", f)]["se"] ** 2,
                ref.linearized_variance(PROVINCE, mine, coef),
                1e-7,
            )


def test_province_wide_figures_use_the_between_unit_variance_and_report_the_design_effect() -> None:
    rows = answers(PROVINCE, 3000, 30, seed=4)
    result = run(PROVINCE, rows, Spec(by=()))
    overall = result[("overall", "overall")]
    factors = [f.code for f in PROVINCE.factors]
    coef = ref.linear_coefficients(PROVINCE, rows, factors, dict.fromkeys(factors, 0.2), None)
    assert coef is not None
    clustered = ref.linearized_variance(PROVINCE, rows, coef, cluster="unit_id")
    simple = ref.linearized_variance(PROVINCE, rows, coef)
    assert close(overall["se"] ** 2, clustered, 1e-7)
    assert close(overall["deff"], clustered / simple, 1e-7)  # type: ignore[operator]
    assert overall["deff"] > 1.5, "units differ, so answers cluster"


def test_weights_enter_every_figure() -> None:
    rows = answers(PROVINCE, 1000, 3, seed=5)
    result = run(PROVINCE, rows, Spec(by=("unit_id",), weight="weight"))
    factors = [f.code for f in PROVINCE.factors]
    for unit in range(3):
        mine = [r for r in rows if r["unit_id"] == unit]
        for q in PROVINCE.items():
            assert close(
                result[(unit, "item", q.code)]["index"],
                ref.item_index(PROVINCE, mine, q.code, "weight"),
            )
        got = result[(unit, "overall", "overall")]
        assert close(got["index"], ref.overall_index(PROVINCE, mine, "weight"))
        coef = ref.linear_coefficients(
            PROVINCE, mine, factors, dict.fromkeys(factors, 0.2), "weight"
        )
        assert coef is not None
        assert close(
            got["se"] ** 2, ref.linearized_variance(PROVINCE, mine, coef, weight="weight"), 1e-7
        )


def _satisfied(instrument: Instrument, rows: list[dict[str, Any]]) -> None:
    """Every respondent fully satisfied with every item (demo "Xã Văn Nho": 17 of 17)."""
    for r in rows:
        for q in instrument.items():
            r[q.code] = max(q.scale.top)


def _check_composites(
    result: dict[tuple[Any, ...], dict[str, Any]],
    key: tuple[Any, ...],
    mine: list[dict[str, Any]],
    weight: str | None = None,
    cluster: str | None = None,
) -> None:
    factors = [f.code for f in PROVINCE.factors]
    shares = [(("overall", "overall"), factors, dict.fromkeys(factors, 0.2))]
    shares += [(("factor", f), [f], {f: 1.0}) for f in factors]
    for (level, code), members, share in shares:
        got = result[(*key, level, code)]
        coef = ref.linear_coefficients(PROVINCE, mine, members, share, weight)
        assert coef is not None
        variance = ref.linearized_variance(PROVINCE, mine, coef, weight, cluster)
        assert variance is not None
        deff = None
        if cluster:
            simple = ref.linearized_variance(PROVINCE, mine, coef, weight)
            deff = variance / simple if simple else None
        low, high = ref.composite_interval(
            PROVINCE, mine, coef, got["index"], variance, weight=weight, deff=deff
        )
        assert close(got["low"], low, 1e-7), (level, code, got["low"], low)
        assert close(got["high"], high, 1e-7), (level, code, got["high"], high)
        assert got["low"] < got["high"], "never a zero-width interval for a finite sample"


def test_all_satisfied_gets_an_honest_composite_interval_not_100_to_100() -> None:
    rows = answers(PROVINCE, 17 * 3, 3, seed=12)
    _satisfied(PROVINCE, [r for r in rows if r["unit_id"] == 0])
    result = run(PROVINCE, rows, Spec(by=("unit_id",)))
    overall = result[(0, "overall", "overall")]
    assert overall["index"] == pytest.approx(100.0) and overall["se"] == pytest.approx(0.0)
    assert overall["low"] < 99.5 and overall["high"] == 100.0
    for f in PROVINCE.factors:
        factor = result[(0, "factor", f.code)]
        item = result[(0, "item", PROVINCE.items(f.code)[0].code)]
        # a factor averages several items, so it is never less certain than one of them
        assert item["low"] <= factor["low"] < 99.0, (factor["low"], item["low"])
    for unit in range(3):
        _check_composites(result, (unit,), [r for r in rows if r["unit_id"] == unit])


def test_all_dissatisfied_gets_an_interval_above_0() -> None:
    rows = answers(PROVINCE, 20, 1, seed=13)
    for r in rows:
        for q in PROVINCE.items():
            r[q.code] = min(q.scale.values)
    result = run(PROVINCE, rows, Spec(by=("unit_id",)))
    overall = result[(0, "overall", "overall")]
    assert overall["index"] == 0.0 and overall["low"] == 0.0 and 0.5 < overall["high"] < 5
    _check_composites(result, (0,), rows)


def test_composite_intervals_match_the_reference_unweighted_weighted_and_clustered() -> None:
    rows = answers(PROVINCE, 900, 3, seed=14)
    _satisfied(PROVINCE, [r for r in rows if r["unit_id"] == 2][:280])
    result = run(PROVINCE, rows, Spec(by=("unit_id",)))
    weighted = run(PROVINCE, rows, Spec(by=("unit_id",), weight="weight"))
    for unit in range(3):
        mine = [r for r in rows if r["unit_id"] == unit]
        _check_composites(result, (unit,), mine)
        _check_composites(weighted, (unit,), mine, weight="weight")
    small = answers(PROVINCE, 12 * 20, 20, seed=15)
    _satisfied(PROVINCE, [r for r in small if r["unit_id"] < 16])
    _check_composites(run(PROVINCE, small, Spec(by=())), (), small, cluster="unit_id")


def test_grouping_by_any_column_gives_the_same_as_filtering() -> None:
    rows = answers(PROVINCE, 800, 6, seed=6)
    result = run(PROVINCE, rows, Spec(by=("kind",)))
    for kind in ("ward", "commune"):
        mine = [r for r in rows if r["kind"] == kind]
        assert close(
            result[(kind, "overall", "overall")]["index"], ref.overall_index(PROVINCE, mine)
        )


WEIGHTED = {
    "schema": "hailong.instrument/1",
    "code": "w",
    "version": 1,
    "title": "Trọng số",
    "factors": [
        {"code": "A", "label": "A", "rule": "weighted", "weights": {"a1": "1/3", "a2": "2/3"}},
        {"code": "B", "label": "B"},
    ],
    "sections": [
        {
            "code": "s",
            "title": "s",
            "questions": [
                {"code": "a1", "text": "a1", "scale": "satisfaction5", "factor": "A"},
                {"code": "a2", "text": "a2", "scale": "satisfaction5", "factor": "A"},
                {"code": "b1", "text": "b1", "scale": "satisfaction5", "factor": "B"},
            ],
        }
    ],
    "aggregation": {"overall": "weighted", "weights": {"A": "1/4", "B": "3/4"}},
}


def test_explicit_weights_are_applied_exactly() -> None:
    instrument = parse_instrument(WEIGHTED)
    rows = answers(instrument, 500, 2, seed=7)
    result = run(instrument, rows, Spec(by=("unit_id",)))
    for unit in range(2):
        mine = [r for r in rows if r["unit_id"] == unit]
        a = (
            ref.item_index(instrument, mine, "a1") / 3
            + 2 * ref.item_index(instrument, mine, "a2") / 3
        )  # type: ignore[operator]
        expected = a / 4 + 3 * ref.item_index(instrument, mine, "b1") / 4  # type: ignore[operator]
        assert close(result[(unit, "overall", "overall")]["index"], expected)


def test_a_factor_with_no_answers_gives_no_data_never_zero() -> None:
    rows = answers(PROVINCE, 200, 2, seed=8)
    for r in rows:
        if r["unit_id"] == 1:
            r["gave_feedback"] = 2
            for q in PROVINCE.items("F5"):
                r[q.code] = None
    result = run(PROVINCE, rows, Spec(by=("unit_id",)))
    assert result[(1, "item", "f5_1")]["index"] is None
    assert result[(1, "factor", "F5")]["index"] is None
    assert result[(1, "overall", "overall")]["index"] is None
    assert result[(1, "factor", "F1")]["index"] is not None
    assert result[(0, "overall", "overall")]["index"] is not None


def test_a_single_respondent_gets_an_index_and_no_pretend_precision() -> None:
    rows = answers(DESK, 1, 1, seed=9)
    rows[0].update({q.code: 5 for q in DESK.items()}, tong_the=4)
    result = run(DESK, rows, Spec(by=("unit_id",)))
    item = result[(0, "item", "tiep_can")]
    assert item["index"] == 100.0 and item["n"] == 1 and not item["enough"]
    assert item["high"] == 100.0 and item["low"] < 25  # Wilson stays honest about n = 1
    overall = result[(0, "overall", "overall")]
    assert overall["index"] == 100.0 and overall["low"] is None


def test_no_answers_at_all_gives_no_rows() -> None:
    assert run(DESK, [], Spec(by=("unit_id",))) == {}


def test_figures_below_the_minimum_are_flagged() -> None:
    rows = answers(DESK, 40, 2, seed=10)
    result = run(DESK, rows, Spec(by=("unit_id",), min_n=25))
    assert all(not r["enough"] for r in result.values())
    result = run(DESK, rows, Spec(by=(), min_n=25))
    assert result[("overall", "overall")]["enough"]


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (0, 30, 0.0, 0.11351),
        (15, 30, 0.331542, 0.668458),
        (30, 30, 0.88649, 1.0),
        (1, 10, 0.017875, 0.404156),
    ],
)
def test_wilson_matches_published_values(x: int, n: int, low: float, high: float) -> None:
    got = wilson(x, n)
    assert got == pytest.approx((low, high), abs=1e-5)
    assert got == pytest.approx(ref.wilson(x, n), abs=1e-12)


SKM = BUILTIN["skm-indonesia"]


def test_the_indonesian_ikm_runs_on_the_same_engine_with_exact_weights() -> None:
    from fractions import Fraction

    rng = random.Random(11)
    rows = [
        {
            "unit_id": 0,
            "kind": "x",
            "weight": 1.0,
            **{f"u{k}": rng.choice([2, 3, 3, 4, 4, 4]) for k in range(1, 10)},
        }
        for _ in range(97)
    ]
    result = run(SKM, rows, Spec(by=("unit_id",)))
    means = [Fraction(sum(r[f"u{k}"] for r in rows), len(rows)) for k in range(1, 10)]
    ikm = sum(m * Fraction(1, 9) for m in means) * 25
    got = result[(0, "overall", "overall")]
    assert close(got["index"], float(ikm), 1e-12)
    assert 25 <= got["low"] <= got["index"] <= got["high"] <= 100
    grade = SKM.aggregation.grade_of(got["index"])
    expected = "A" if ikm >= Fraction("88.31") else "B" if ikm >= Fraction("76.61") else "C"
    assert grade is not None and grade.grade == expected
    # The regulation's printed weight: 0,11 × 9 = 0,99, one percent low on every score.
    assert float(sum(m * Fraction("0.11") for m in means) * 25 / ikm) == pytest.approx(0.99)


def test_the_printed_0_11_weight_is_refused_because_it_does_not_sum_to_1() -> None:
    from hailong.measurement import InstrumentError, builtin_instruments

    raw = next(r for i, r in builtin_instruments() if i.code == "skm-indonesia")
    broken = {
        **raw,
        "aggregation": {**raw["aggregation"], "weights": {f"U{k}": "0.11" for k in range(1, 10)}},
    }
    with pytest.raises(InstrumentError, match="99/100"):
        parse_instrument(broken)


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (88.31, "A"),
        (88.305, "A"),
        (88.3049, "B"),
        (76.61, "B"),
        (76.6, "C"),
        (64.99, "D"),
        (100.0, "A"),
    ],
)
def test_grades_follow_the_published_bands_after_rounding_to_2_decimals(
    value: float, grade: str
) -> None:
    band = SKM.aggregation.grade_of(value)
    assert band is not None and band.grade == grade


def test_priorities_and_perceptions_are_reported_outside_the_composites() -> None:
    rows = answers(NATIONAL, 600, 2, seed=12)
    result = run(NATIONAL, rows, Spec(by=("unit_id",)))
    priorities = [q for q in NATIONAL.questions() if q.role == "priority"]
    assert len(priorities) == 10
    for q in priorities:
        got = result[(0, "expectation", q.code)]
        valid = [r[q.code] for r in rows if r["unit_id"] == 0 and r.get(q.code) in q.scale.values]
        assert close(got["index"], 100 * sum(v in q.scale.top for v in valid) / len(valid))
        assert got["low"] <= got["index"] <= got["high"]
    perceptions = [
        q
        for q in NATIONAL.questions()
        if q.role == "perception" and q.scale.type in ("ordinal", "choice")
    ]
    assert perceptions
    for q in perceptions:
        got = result[(0, "perception", q.code)]
        valid = [r[q.code] for r in rows if r["unit_id"] == 0 and r.get(q.code) in q.scale.values]
        assert got["distribution"] == [float(valid.count(v)) for v in sorted(q.scale.values)]
        assert (got["index"] is None) == (not q.scale.top)
    # composites are unchanged by the extra questions
    unit0 = [r for r in rows if r["unit_id"] == 0]
    assert close(result[(0, "overall", "overall")]["index"], ref.overall_index(NATIONAL, unit0))


def test_cell_statistics_add_and_subtract_exactly() -> None:
    rows = answers(PROVINCE, 900, 4, seed=13)
    con = duckdb.connect()
    con.register("everything", table(PROVINCE, rows))
    con.register("first", table(PROVINCE, rows[:500]))
    con.register("rest", table(PROVINCE, rows[500:]))
    engine = Engine(PROVINCE)
    spec = Spec(by=("unit_id",))
    whole = engine.cell_stats(con, "everything", spec)
    summed = engine.cell_stats(con, "first", spec).combine(engine.cell_stats(con, "rest", spec))
    back = whole.combine(engine.cell_stats(con, "rest", spec), -1.0)
    first = engine.cell_stats(con, "first", spec)

    def by_key(stats: Any) -> dict[Any, Any]:
        return {k: i for i, k in enumerate(stats.keys)}

    for a, b in ((whole, summed), (first, back)):
        ia, ib = by_key(a), by_key(b)
        assert set(ia) == set(ib)
        for key in ia:
            for field in ("counts", "squares", "plain", "moments", "answered"):
                assert getattr(a, field)[ia[key]] == pytest.approx(
                    getattr(b, field)[ib[key]], abs=1e-6
                )
    tables = [engine.table(s, spec) for s in (whole, summed)]
    assert [r["index"] for r in tables[0]] == pytest.approx(
        [r["index"] for r in tables[1]], nan_ok=True
    )


def test_streaming_in_small_batches_gives_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    import hailong.measurement.engine.run as engine_run

    rows = answers(PROVINCE, 700, 5, seed=14)
    whole = run(PROVINCE, rows, Spec(by=()))
    monkeypatch.setattr(engine_run, "BATCH_ROWS", 64)  # eleven batches, cells split across them
    batched = run(PROVINCE, rows, Spec(by=()))
    assert whole.keys() == batched.keys()
    for key, row in whole.items():
        for field in ("index", "low", "high", "se", "n", "n_missing", "deff"):
            a, b = row[field], batched[key][field]
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9, abs=1e-9), (
                key,
                field,
            )


def test_asking_for_some_levels_returns_exactly_those_rows_of_the_full_table() -> None:
    rows = answers(PROVINCE, 400, 4, seed=21)
    full = run(PROVINCE, rows, Spec(by=("unit_id",)))
    for levels in (("overall",), ("factor", "overall"), ("item",)):
        some = run(PROVINCE, rows, Spec(by=("unit_id",), levels=levels))
        assert some == {k: v for k, v in full.items() if k[1] in levels}, levels


def test_an_unknown_level_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="overal"):
        Spec(levels=("overal",))
