"""The engine's fast paths give what the plain computation gives: worker slices, pairs of
questions in one bincount, moments by bit tests in blocks, answers stored in other types."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from hailong.measurement.engine import Engine, Spec, kernels
from hailong.measurement.engine import run as engine_run

from .test_engine import DESK, PROVINCE, answers, table


def _rows_by_key(rows: list[dict[str, Any]], by: tuple[str, ...]) -> dict[Any, dict[str, Any]]:
    return {(*(r[k] for k in by), r["level"], r["code"]): r for r in rows}


@pytest.mark.parametrize(
    "spec",
    [
        Spec(by=("unit_id",)),
        Spec(by=(), weight="weight"),
        Spec(by=("kind",)),
        Spec(by=("kind", "unit_id"), weight="weight"),
    ],
    ids=["unit", "province-weighted", "kind-clustered", "kind-unit-weighted"],
)
def test_two_workers_on_small_slices_give_the_one_pass_table(
    spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = answers(PROVINCE, 1100, 7, seed=21, junk=True)
    con = duckdb.connect()
    con.register("answers", table(PROVINCE, rows))
    engine = Engine(PROVINCE)
    whole = engine.cell_stats(con, "answers", spec)
    monkeypatch.setattr(engine_run, "THREADS", 2)
    monkeypatch.setattr(engine_run, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(engine_run, "BATCH_ROWS", 97)  # a dozen slices, cells split across
    monkeypatch.setattr(kernels, "BLOCK_ROWS", 61)  # cells straddle moment blocks too
    sliced = engine.cell_stats(con, "answers", spec)
    assert whole.keys == sliced.keys
    for field in ("counts", "squares", "plain", "answered"):
        assert np.array_equal(getattr(whole, field), getattr(sliced, field)) or (
            spec.weight and np.allclose(getattr(whole, field), getattr(sliced, field))
        ), field
    assert np.allclose(whole.moments, sliced.moments, rtol=1e-12, atol=1e-9)
    a = _rows_by_key(engine.table(whole, spec), spec.by)
    b = _rows_by_key(engine.table(sliced, spec), spec.by)
    assert a.keys() == b.keys()
    for key, row in a.items():
        for field in ("index", "low", "high", "se", "n", "n_missing", "deff", "n_eff"):
            x, y = row[field], b[key][field]
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9, abs=1e-9)


def test_answers_stored_as_other_types_count_as_when_stored_as_small_integers() -> None:
    """A code that does not fit SMALLINT, or is not a number, is an invalid answer (never a
    missing one) whatever the column's type."""
    rows = answers(DESK, 300, 3, seed=22)
    codes = [q.code for q in DESK.items()]
    small = table(DESK, rows)
    rows[0][codes[0]], rows[1][codes[0]] = 70000, 99  # invalid, not missing
    wide = small.set_column(
        small.schema.get_field_index(codes[0]),
        codes[0],
        pa.array([r[codes[0]] for r in rows], pa.int64()),
    )
    text = small.set_column(
        small.schema.get_field_index(codes[1]),
        codes[1],
        pa.array(["x" if i == 2 else (None if r[codes[1]] is None else str(r[codes[1]])) for i, r in enumerate(rows)]),
    )  # fmt: skip
    rows[0][codes[0]] = rows[1][codes[0]] = rows[2][codes[1]] = 7  # the same, as SMALLINT
    expected = table(DESK, rows)
    spec = Spec(by=("unit_id",))
    engine = Engine(DESK)
    con = duckdb.connect()
    results = {}
    for name, data in (("expected", expected), ("wide", wide), ("text", text)):
        con.register(name, data)
        results[name] = _rows_by_key(engine.compute(con, name, spec), spec.by)
    want = results["expected"]
    assert want[(0, "item", codes[0])]["n_missing"] == sum(
        r[codes[0]] is None for r in rows if r["unit_id"] == 0
    )
    got_wide, got_text = results["wide"], results["text"]
    for key, row in want.items():
        if key[2] == codes[0]:
            assert got_wide[key] == row
        if key[2] == codes[1]:
            assert got_text[key] == row


@pytest.mark.parametrize("width", [7, 17])  # joint slots in one byte, and not
@pytest.mark.parametrize("questions", [1, 4, 5])
def test_level_counts_are_a_bincount_per_question(width: int, questions: int) -> None:
    rng = np.random.default_rng(width * questions)
    cells, rows = 9, 2000
    cell = np.sort(rng.integers(0, cells, rows))
    S = rng.integers(0, width, (questions, rows)).astype(np.uint8)
    out = np.zeros((cells, questions, width))
    kernels.level_counts(S, cell, cells, width, out)
    for j in range(questions):
        plain = np.bincount(cell * width + S[j], minlength=cells * width)
        assert np.array_equal(out[:, j, :], plain.reshape(cells, width))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("binary", [True, False])
def test_moments_and_answered_match_a_plain_sum(
    weighted: bool, binary: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kernels, "BLOCK_ROWS", 37)
    rng = np.random.default_rng(int(weighted) + 2 * int(binary))
    Q, width, cells, rows = 5, 7, 6, 700
    cell = np.sort(rng.integers(0, cells, rows))
    cell[cell == 2] = 3  # a cell with no rows
    bounds = np.searchsorted(cell, np.arange(cells + 1))
    S = rng.integers(0, width, (Q, rows)).astype(np.uint8)
    valid_of = np.zeros((Q, width))
    valid_of[:, 1:6] = 1
    score_of = np.zeros((Q, width))
    score_of[:, 4:6] = 1 if binary else 0
    if not binary:
        score_of[:, 1:6] = [0, 25, 50, 75, 100]
    dtype = np.float32 if binary and not weighted else np.float64
    composites = [[0, 1], [2, 3, 4], [0, 1, 2, 3, 4], [1, 3]]
    moments = np.zeros((cells, 2 * Q, 2 * Q))
    answered = np.zeros((cells, len(composites)))
    w = rng.choice([0.5, 1.0, 2.5], rows) if weighted else None
    kernels.Moments(score_of.astype(dtype), valid_of.astype(dtype), composites).add(
        S, bounds, w, moments, answered
    )
    X = np.concatenate([np.take_along_axis(score_of, S, 1), np.take_along_axis(valid_of, S, 1)])
    for c in range(cells):
        mine = slice(bounds[c], bounds[c + 1])
        Y = X[:, mine] * (w[mine] if w is not None else 1.0)
        assert np.allclose(moments[c], Y @ Y.T, rtol=1e-12)
        for k, items in enumerate(composites):
            shown = np.array([valid_of[j][S[j, mine]] > 0 for j in items])
            assert answered[c, k] == shown.any(axis=0).sum()


def test_each_composite_plan_covers_its_items_once() -> None:
    composites = [[0, 1, 2], [3, 4], [5], [0, 1, 2, 3, 4, 5], [2, 3], [0, 1, 2, 3, 4, 5, 6]]
    plan = kernels._union_plan(composites)
    for (parts, runs), items in zip(plan, composites, strict=True):
        covered = [j for p in parts for j in composites[p]] + [
            j for a, b in runs for j in range(a, b)
        ]
        assert sorted(covered) == sorted(items)
    assert plan[3][0] == [0, 1, 2]  # the overall index reuses its factors
