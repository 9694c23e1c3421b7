"""Change, rankings with rank intervals, PAR points and post-stratification weights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hailong.measurement.compare import change, competition_ranks, rank, tied_with
from hailong.measurement.par import par_points, points_table
from hailong.measurement.weighting import WeightingError, poststratify


def test_a_change_is_significant_only_beyond_its_combined_error() -> None:
    big = change(85.0, 1.0, 80.0, 1.0)
    assert big is not None and big.delta == 5.0 and big.significant
    small = change(81.0, 1.0, 80.0, 1.0)
    assert small is not None and small.significant is False
    unknown = change(81.0, None, 80.0, 1.0)
    assert unknown is not None and unknown.significant is None
    assert change(None, 1.0, 80.0, 1.0) is None  # no data is not a change of 0


def test_competition_ranks_share_the_best_rank() -> None:
    assert competition_ranks({"a": 90.0, "b": 85.0, "c": 85.0, "d": 70.0}) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }


def test_a_statistically_tied_unit_is_not_shown_as_clearly_last() -> None:
    ranked = rank({"A": (91.0, 0.5), "B": (85.0, 2.0), "C": (84.5, 2.0), "D": (84.0, 2.0)})
    by_key = {r.key: r for r in ranked}
    assert by_key["A"].rank == 1 and by_key["A"].rank_low == by_key["A"].rank_high == 1
    assert by_key["D"].rank == 4 and by_key["D"].rank_low <= 2  # tied with B and C
    assert set(tied_with(ranked, "D")) == {"B", "C"}


def test_rankings_are_reproducible() -> None:
    data = {k: (80 + k * 0.7, 1.5) for k in range(30)}
    assert rank(data) == rank(data)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=3),
        st.tuples(st.floats(0, 100), st.floats(0, 5)),
        min_size=1,
        max_size=12,
    )
)
def test_every_rank_lies_inside_its_interval_and_within_the_field(
    data: dict[str, tuple[float, float]],
) -> None:
    ranked = rank(data, draws=200)
    assert len(ranked) == len(data)
    for r in ranked:
        assert 1 <= r.rank_low <= r.rank <= r.rank_high <= len(data)


@pytest.mark.parametrize(
    ("index", "maximum", "points"),
    [
        (82.66, "10", Decimal("8.27")),
        (100.0, "31.5", Decimal("31.50")),
        (0.0, "10", Decimal("0.00")),
        (83.945, "10", Decimal("8.39")),
    ],
)
def test_par_points_are_the_index_share_of_the_maximum(
    index: float, maximum: str, points: Decimal
) -> None:
    assert par_points(index, max_points=maximum) == points


def test_par_points_above_a_floor_and_bad_input() -> None:
    assert par_points(75.0, max_points="10", formula="above_floor", floor=50.0) == Decimal("5.00")
    assert par_points(40.0, max_points="10", formula="above_floor", floor=50.0) == Decimal("0.00")
    assert par_points(None, max_points="10") is None
    with pytest.raises(ValueError, match="formula 'magic'"):
        par_points(80.0, max_points="10", formula="magic")
    with pytest.raises(ValueError, match="no maximum set for unit kind 'ward'"):
        points_table({"P1": ("ward", 80.0)}, {"commune": "10"})


def test_poststratification_restores_the_file_mix_and_reports_its_cost() -> None:
    weights = poststratify(
        {"U": {"online": 20, "desk": 80}},
        {"U": {"online": 600, "desk": 400, "post": 0}},
    )["U"]
    assert weights.weights["online"] == pytest.approx(3.0)  # 60% of files, 20% of answers
    assert weights.weights["desk"] == pytest.approx(0.5)
    assert sum(
        weights.weights[h] * n for h, n in {"online": 20, "desk": 80}.items()
    ) == pytest.approx(100)
    assert weights.n_eff == pytest.approx(100**2 / (20 * 9 + 80 * 0.25))
    assert weights.uncovered == ()


def test_strata_with_files_but_no_answers_are_reported() -> None:
    weights = poststratify({"U": {"desk": 50}}, {"U": {"desk": 100, "online": 300}})["U"]
    assert weights.weights == {"desk": 1.0} and weights.uncovered == ("online",)


def test_answers_in_a_stratum_without_volume_are_refused_by_name() -> None:
    with pytest.raises(WeightingError, match="U/postal"):
        poststratify({"U": {"desk": 5, "postal": 2}}, {"U": {"desk": 100}})


def test_rank_intervals_do_not_depend_on_the_order_units_are_given_in() -> None:
    data = {f"u{k}": (80 + (k % 7) * 0.4, 1.2) for k in range(25)}
    reverse = dict(reversed(list(data.items())))
    assert sorted(rank(data), key=lambda r: str(r.key)) == sorted(
        rank(reverse), key=lambda r: str(r.key)
    )


def test_comparisons_use_the_side_of_the_published_interval_facing_the_other_figure() -> None:
    from hailong.measurement.compare import interval_sides

    z = 1.959963984540054
    # all satisfied, n = 17: se 0, the published interval 81,57–100, one-sided at the top
    top = interval_sides(100.0, 0.0, 81.57, 100.0)
    assert top == pytest.approx(((100 - 81.57) / z, 0.0))
    assert interval_sides(80.0, 2.0, 80 - 2 * z, 80 + 2 * z) == pytest.approx((2.0, 2.0))
    assert interval_sides(97.0, 3.0, 93.0, 100.0) == (3.0, 3.0)  # clipped: never below se
    assert interval_sides(None, 1.5, None, None) == 1.5
    assert interval_sides(1.0, None, None, None) is None
    # last year 100 (81,57–100), this year 89 ± 2: inside last year's interval, not a change
    fall = change(89.0, 2.0, 100.0, top)
    assert fall is not None and fall.significant is False
    said = change(89.0, 2.0, 100.0, 0.0)  # what se = 0 used to say
    assert said is not None and said.significant is True
    # a rise to an all-satisfied year: this year's lower side faces last year
    rise = change(100.0, top, 90.0, 1.0)
    assert rise is not None and rise.significant is False
    # only the sides facing each other count: this year upwards (5), last year downwards (0,1)
    steady = change(99.0, (0.1, 5.0), 100.0, (0.1, 0.0))
    assert steady is not None and steady.se == pytest.approx((5.0**2 + 0.1**2) ** 0.5)


def test_a_unit_at_the_top_of_the_scale_is_drawn_only_below_it() -> None:
    sure = {r.key: r for r in rank({"A": (100.0, 0.0), "B": (99.0, 0.3)})}
    assert (sure["A"].rank_low, sure["A"].rank_high) == (1, 1)  # se 0: surely first
    fair = {r.key: r for r in rank({"A": (100.0, (9.4, 0.0)), "B": (99.0, 0.3)})}
    assert (fair["A"].rank, fair["A"].rank_high, fair["B"].rank_low) == (1, 2, 1)
    # drawn only downwards: A is never above 100, so B leads whenever A falls below B
    up = {r.key: r for r in rank({"A": (100.0, (0.0, 9.4)), "B": (99.0, 0.3)})}
    assert (up["A"].rank_low, up["A"].rank_high) == (1, 1)
