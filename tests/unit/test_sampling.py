"""Sample sizes and allocation: published reference values, refusals, and properties."""

from __future__ import annotations

import math
import random
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hailong.measurement import allocate, cochran, krejcie_morgan, margin_of_error, quotas

# Krejcie & Morgan (1970), Table 1: rows the formula reproduces when rounded up.
# (methodology.md §5 quotes 100 → 80 and 1 000 → 278.) The 100 000 row (exact 382.63)
# was not checked against the original article; reprints of the table vary at the end.
KREJCIE_MORGAN_TABLE = {10: 10, 100: 80, 1000: 278, 10000: 370, 100000: 383, 1000000: 384}

margins = st.floats(min_value=0.005, max_value=0.5)
populations = st.integers(min_value=1, max_value=10**7)
strata_maps = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=5000),
    min_size=1,
    max_size=12,
)


@st.composite
def allocation_cases(draw: st.DrawFn) -> tuple[int, dict[str, int], str, int]:
    strata = draw(strata_maps)
    method = draw(st.sampled_from(["equal", "proportional", "neyman"]))
    minimum = draw(st.integers(min_value=0, max_value=50))
    floors = sum(min(minimum, N_h) for N_h in strata.values())
    total = draw(st.integers(min_value=floors, max_value=sum(strata.values())))
    return total, strata, method, minimum


# Reference values


def test_cochran_gives_385_for_five_points_at_95_percent() -> None:
    assert cochran(0.05) == 385
    assert cochran(0.05, confidence=0.95, p=0.5) == 385


def test_cochran_gives_278_for_a_population_of_1000() -> None:
    assert cochran(0.05, population=1000) == 278


def test_cochran_needs_fewer_when_the_expected_share_is_far_from_half() -> None:
    # 1.96² × 0.2 × 0.8 / 0.05² = 245.86
    assert cochran(0.05, p=0.2) == 246


@pytest.mark.parametrize(("population", "table"), sorted(KREJCIE_MORGAN_TABLE.items()))
def test_krejcie_morgan_reproduces_the_published_table(population: int, table: int) -> None:
    assert krejcie_morgan(population) == table


@pytest.mark.parametrize(("population", "table"), [(50, 44), (500, 217)])
def test_krejcie_morgan_rounds_up_where_the_table_rounds_to_nearest(
    population: int, table: int
) -> None:
    # exact 44.34 and 217.47: the table prints the nearest integer, we round up
    assert krejcie_morgan(population) == table + 1


def test_krejcie_morgan_agrees_with_cochran_within_one() -> None:
    for N in (10, 50, 100, 500, 1000, 10000, 100000):
        assert abs(krejcie_morgan(N) - cochran(0.05, population=N)) <= 1


def test_margin_of_error_of_385_is_just_under_five_points() -> None:
    assert margin_of_error(385) == pytest.approx(0.04994, abs=1e-5)


def test_a_census_has_no_margin_of_error() -> None:
    assert margin_of_error(1000, population=1000) == 0.0
    assert margin_of_error(1, population=1) == 0.0


def test_an_extreme_expected_share_still_needs_one_respondent() -> None:
    assert cochran(0.05, p=0.0) == 1
    assert cochran(0.05, p=1.0, population=50) == 1
    assert krejcie_morgan(50, p=0.0) == 1


def test_a_sample_never_exceeds_a_small_population() -> None:
    assert cochran(0.01, population=7) == 7
    assert krejcie_morgan(1) == 1


# Validation


@pytest.mark.parametrize("margin", [0, 1, -0.1, 1.5, math.nan, True, "0.05"])
def test_cochran_refuses_a_margin_outside_zero_and_one(margin: Any) -> None:
    with pytest.raises(ValueError, match=r"margin phải .* / margin must"):
        cochran(margin)


@pytest.mark.parametrize("confidence", [0, 1, 95, math.nan])
def test_cochran_refuses_a_confidence_outside_zero_and_one(confidence: Any) -> None:
    with pytest.raises(ValueError, match="confidence"):
        cochran(0.05, confidence=confidence)


@pytest.mark.parametrize("p", [-0.01, 1.01, math.nan])
def test_cochran_refuses_a_proportion_outside_zero_and_one(p: float) -> None:
    with pytest.raises(ValueError, match=r"p phải .* / p must"):
        cochran(0.05, p=p)


@pytest.mark.parametrize("population", [0, -5, 10.0, True])
def test_cochran_refuses_a_population_that_is_not_a_positive_integer(population: Any) -> None:
    with pytest.raises(
        ValueError, match=r"population phải là số nguyên dương.* / population must be a positive"
    ):
        cochran(0.05, population=population)


def test_krejcie_morgan_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="population"):
        krejcie_morgan(0)
    with pytest.raises(ValueError, match="margin"):
        krejcie_morgan(100, margin=0)
    with pytest.raises(ValueError, match="chi2"):
        krejcie_morgan(100, chi2=0)


def test_margin_of_error_refuses_a_sample_larger_than_the_population() -> None:
    with pytest.raises(ValueError, match=r"lớn hơn tổng thể .* / .* larger than the population"):
        margin_of_error(11, population=10)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        margin_of_error(0)


def test_allocate_names_an_unknown_method() -> None:
    with pytest.raises(ValueError, match=r"'optimal'.*/ unknown allocation method: 'optimal'"):
        allocate(10, {"a": 100}, method="optimal")  # type: ignore[arg-type]


def test_allocate_refuses_a_total_larger_than_all_files() -> None:
    with pytest.raises(ValueError, match=r"lớn hơn tổng số hồ sơ .* / .* larger than the total"):
        allocate(31, {"a": 10, "b": 20})


def test_allocate_refuses_a_total_too_small_for_the_minimum() -> None:
    with pytest.raises(ValueError, match=r"tối thiểu 30 .* / .* minimum of 30 \(3 units need 90\)"):
        allocate(89, {"a": 100, "b": 100, "c": 100}, minimum=30)


def test_allocate_refuses_negative_populations_and_stray_stdev() -> None:
    with pytest.raises(ValueError, match="unit 'b' must be a non-negative integer"):
        allocate(5, {"a": 10, "b": -1})
    with pytest.raises(ValueError, match="only used by method 'neyman'"):
        allocate(5, {"a": 10}, stdev={"a": 0.3})
    with pytest.raises(ValueError, match="unknown unit: 'z'"):
        allocate(5, {"a": 10}, method="neyman", stdev={"z": 0.3})
    with pytest.raises(ValueError, match="standard deviation of unit 'a'"):
        allocate(5, {"a": 10}, method="neyman", stdev={"a": -0.1})


# Allocation examples


def test_proportional_allocation_follows_the_number_of_files() -> None:
    assert allocate(100, {"a": 600, "b": 300, "c": 100}) == {"a": 60, "b": 30, "c": 10}


def test_largest_remainders_get_the_forms_left_over() -> None:
    # shares 33.33 each: one form left over, given to the first key
    assert allocate(100, {"b": 1000, "a": 1000, "c": 1000}, method="equal") == {
        "a": 34,
        "b": 33,
        "c": 33,
    }
    # shares 1.67, 3.33, 5: the largest fraction wins
    assert allocate(10, {"a": 10, "b": 20, "c": 30}) == {"a": 2, "b": 3, "c": 5}


def test_units_below_the_minimum_are_raised_and_the_rest_shrinks() -> None:
    n = allocate(100, {"a": 600, "b": 300, "c": 100}, minimum=20)
    assert n == {"a": 53, "b": 27, "c": 20}


def test_a_unit_with_fewer_files_than_the_minimum_is_taken_whole() -> None:
    n = allocate(100, {"a": 1000, "b": 12, "c": 0}, method="equal", minimum=30)
    assert n == {"a": 88, "b": 12, "c": 0}


def test_no_unit_gets_more_forms_than_files_and_the_excess_moves_on() -> None:
    n = allocate(90, {"a": 10, "b": 1000, "c": 1000}, method="equal")
    assert n == {"a": 10, "b": 40, "c": 40}


def test_a_unit_without_files_gets_nothing() -> None:
    assert allocate(10, {"a": 0, "b": 50}, method="equal", minimum=5) == {"a": 0, "b": 10}


def test_neyman_puts_more_forms_where_answers_vary_more() -> None:
    n = allocate(100, {"a": 500, "b": 500}, method="neyman", stdev={"a": 0.5, "b": 0.2})
    assert n["a"] > n["b"]
    assert n == {"a": 71, "b": 29}  # 100 × 0.5 / 0.7 = 71.4


def test_neyman_without_stdev_is_proportional() -> None:
    strata = {"a": 600, "b": 300, "c": 100}
    assert allocate(100, strata, method="neyman") == allocate(100, strata)


def test_neyman_gives_units_with_no_spread_only_what_is_left() -> None:
    strata = {"a": 5, "b": 5, "d": 100, "e": 50}
    assert allocate(8, strata, method="neyman", stdev={"d": 0, "e": 0}) == {
        "a": 4,
        "b": 4,
        "d": 0,
        "e": 0,
    }
    assert allocate(20, strata, method="neyman", stdev={"d": 0, "e": 0}) == {
        "a": 5,
        "b": 5,
        "d": 7,
        "e": 3,
    }


def test_quotas_allocate_the_province_total_with_a_minimum() -> None:
    n = quotas({"a": 6000, "b": 3000, "c": 300})
    assert sum(n.values()) == cochran(0.05, population=9300)
    assert n == {"a": 226, "b": 113, "c": 30}


def test_quotas_raise_the_total_to_make_room_for_every_minimum() -> None:
    strata = {f"x{i}": 1000 for i in range(20)}
    n = quotas(strata)
    assert set(n.values()) == {30}
    assert sum(n.values()) == 600 > cochran(0.05, population=20000)


def test_quotas_per_unit_give_each_unit_its_own_precision() -> None:
    n = quotas({"district": 60000, "commune": 1000, "hamlet": 25, "empty": 0}, per_unit=True)
    assert n == {"district": 382, "commune": 278, "hamlet": 25, "empty": 0}


# Properties


@given(allocation_cases())
def test_allocations_add_up_and_stay_between_floor_and_cap(
    case: tuple[int, dict[str, int], str, int],
) -> None:
    total, strata, method, minimum = case
    n = allocate(total, strata, method=method, minimum=minimum)  # type: ignore[arg-type]
    assert sum(n.values()) == total
    assert list(n) == list(strata)
    for h, N_h in strata.items():
        assert min(minimum, N_h) <= n[h] <= N_h


@given(allocation_cases(), st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_the_order_of_units(
    case: tuple[int, dict[str, int], str, int], rnd: random.Random
) -> None:
    total, strata, method, minimum = case
    items = list(strata.items())
    rnd.shuffle(items)
    shuffled = dict(items)
    a = allocate(total, strata, method=method, minimum=minimum)  # type: ignore[arg-type]
    b = allocate(total, shuffled, method=method, minimum=minimum)  # type: ignore[arg-type]
    assert a == b


@given(strata_maps, st.data())
def test_proportional_allocation_is_within_one_of_the_exact_share(
    strata: dict[str, int], data: st.DataObject
) -> None:
    N = sum(strata.values())
    total = data.draw(st.integers(min_value=0, max_value=N))
    n = allocate(total, strata)
    for h, N_h in strata.items():
        assert abs(n[h] - total * N_h / N) < 1 if N else n[h] == 0


@given(
    st.dictionaries(
        st.text(alphabet="abcdefgh", min_size=1, max_size=3),
        st.integers(min_value=1000, max_value=5000),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=0, max_value=1000),
)
def test_equal_allocation_is_equal_within_one(strata: dict[str, int], total: int) -> None:
    n = allocate(total, strata, method="equal")
    assert max(n.values()) - min(n.values()) <= 1


@given(
    st.integers(min_value=100, max_value=5000),
    st.floats(min_value=0.01, max_value=0.5),
    st.floats(min_value=0.01, max_value=0.5),
    st.integers(min_value=0, max_value=190),
)
def test_neyman_never_gives_less_to_the_unit_that_varies_more(
    N: int, S_a: float, S_b: float, total: int
) -> None:
    n = allocate(total, {"a": N, "b": N}, method="neyman", stdev={"a": S_a, "b": S_b})
    if S_a > S_b:
        assert n["a"] >= n["b"]


@given(margins, margins, st.none() | populations)
def test_a_smaller_margin_never_gives_a_smaller_sample(
    e1: float, e2: float, population: int | None
) -> None:
    small, large = sorted((e1, e2))
    assert cochran(small, population=population) >= cochran(large, population=population)


@given(
    margins,
    st.floats(min_value=0.5, max_value=0.999),
    st.floats(min_value=0, max_value=1),
    st.none() | populations,
)
def test_the_margin_of_the_cochran_sample_is_within_the_target(
    e: float, confidence: float, p: float, population: int | None
) -> None:
    n = cochran(e, confidence=confidence, p=p, population=population)
    assert margin_of_error(n, confidence=confidence, p=p, population=population) <= e


def test_a_margin_that_gives_a_whole_sample_is_still_reached_after_rounding() -> None:
    z = NormalDist().inv_cdf(0.975)
    for k in range(1, 5000):
        e = z * math.sqrt(0.25 / k)  # n0 = k in exact arithmetic
        if e < 1:
            n = cochran(e)
            assert n in (k, k + 1)
            assert margin_of_error(n) <= e


@given(populations)
def test_krejcie_morgan_sample_fits_in_the_population(population: int) -> None:
    assert 1 <= krejcie_morgan(population) <= min(population, 385)
