"""Sample sizes for a proportion, and their allocation across units.

The share of satisfied respondents is a proportion, so the sample size that gives it
a chosen margin of error follows Cochran's formula, with the finite-population
correction when the number of completed files is known; Krejcie and Morgan's table
is the same formula written with χ² (methodology.md §5). :func:`allocate` splits a
total across units (equally, in proportion to their completed files, or by Neyman's
rule) into whole forms that add up exactly, with a minimum per unit and never more
forms than files; :func:`quotas` puts the two steps together.

Every function is plain arithmetic on the standard library: the critical value comes
from :class:`statistics.NormalDist`, and allocation is computed in exact fractions so
the result does not depend on the order of the units.

References
----------
.. [1] W. G. Cochran, *Sampling Techniques*, 3rd ed. New York: Wiley, 1977, ch. 4
   (sample size for proportions) and ch. 5 (stratified sampling, optimum allocation).
.. [2] R. V. Krejcie and D. W. Morgan, "Determining sample size for research
   activities," *Educational and Psychological Measurement*, 30(3), 607–610, 1970.
   https://doi.org/10.1177/001316447003000308
.. [3] J. Neyman, "On the two different aspects of the representative method,"
   *Journal of the Royal Statistical Society*, 97(4), 558–625, 1934.
   https://doi.org/10.2307/2342192
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from fractions import Fraction
from statistics import NormalDist
from typing import Any, Literal, TypeVar, cast

K = TypeVar("K", bound=Hashable)

Method = Literal["equal", "proportional", "neyman"]
METHODS: tuple[str, ...] = ("equal", "proportional", "neyman")
DEFAULT_STDEV = 0.5  # the largest standard deviation of a 0/1 answer, at p = 0.5


def _fail(vi: str, en: str) -> ValueError:
    return ValueError(f"{vi} / {en}")


def _is_real(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_open_unit(name: str, x: float) -> float:
    if not _is_real(x) or not 0 < x < 1:
        raise _fail(
            f"{name} phải là số lớn hơn 0 và nhỏ hơn 1, nhận {x!r}",
            f"{name} must be a number greater than 0 and less than 1, got {x!r}",
        )
    return float(x)


def _check_p(p: float) -> float:
    if not _is_real(p) or not 0 <= p <= 1:
        raise _fail(
            f"p phải là tỉ lệ từ 0 đến 1, nhận {p!r}",
            f"p must be a proportion from 0 to 1, got {p!r}",
        )
    return float(p)


def _check_population(name: str, N: int) -> int:
    if not _is_count(N) or N < 1:
        raise _fail(
            f"{name} phải là số nguyên dương, nhận {N!r}",
            f"{name} must be a positive integer, got {N!r}",
        )
    return N


def _z(confidence: float) -> float:
    """Two-sided critical value ``z = Φ⁻¹(1 − α/2)`` with ``α = 1 − confidence``."""
    alpha = 1 - _check_open_unit("confidence", confidence)
    return NormalDist().inv_cdf(1 - alpha / 2)


def cochran(
    margin: float,
    *,
    confidence: float = 0.95,
    p: float = 0.5,
    population: int | None = None,
) -> int:
    r"""Sample size that estimates a proportion within ``margin`` (Cochran).

    .. math::

        n_0 = \frac{z^2\, p (1 - p)}{e^2}, \qquad
        n = \frac{n_0}{1 + (n_0 - 1)/N}

    where ``e`` is the margin, ``z`` the two-sided normal critical value for
    ``confidence`` and ``N`` the population; without a population, ``n = n_0``.

    Parameters
    ----------
    margin : float
        Margin of error ``e``, the half-width of the interval, in (0, 1): 0.05 for ±5
        percentage points.
    confidence : float, default 0.95
        Confidence level in (0, 1).
    p : float, default 0.5
        Expected proportion in [0, 1]. 0.5 gives the largest, safest size.
    population : int, optional
        Population size ``N`` (e.g. completed files in the period), a positive
        integer. When given, the finite-population correction is applied.

    Returns
    -------
    int
        ``ceil(n)``, at least 1 and never more than ``population``.

    Raises
    ------
    ValueError
        If an argument is outside its range (message in Vietnamese and English).

    Notes
    -----
    The size is rounded *up*, so the margin actually reached,
    :func:`margin_of_error` of the result, is never wider than ``margin``; rounding
    to the nearest integer, as some published tables do, can miss it by a fraction
    of a respondent. The correction is computed as ``N / (1 + (N − 1)/n_0)``, which
    is the same quantity but rises with ``n_0`` step by step in floating point, so a
    smaller margin never gives a smaller sample. ``p`` of 0 or 1 gives ``n_0 = 0``;
    the result is then 1, since a survey needs a respondent.

    When ``n`` is a whole number in exact arithmetic (``margin`` chosen to give one),
    floating point may compute it a hair below and ``ceil`` returns that number,
    whose computed margin is then a hair above ``margin``. The result is checked
    against :func:`margin_of_error` and raised by one in that case, so the round trip
    holds exactly in floating point, at the cost of one respondent in those cases.

    References
    ----------
    methodology.md §5; Cochran (1977), ch. 4.

    Examples
    --------
    >>> cochran(0.05)
    385
    >>> cochran(0.05, population=1000)
    278
    """
    e = _check_open_unit("margin", margin)
    z = _z(confidence)
    p = _check_p(p)
    n0 = z**2 * p * (1 - p) / e**2
    if population is None:
        n_up = max(1, math.ceil(n0))
    else:
        N = _check_population("population", population)
        n = N / (1 + (N - 1) / n0) if n0 > 0 else 0.0
        n_up = min(N, max(1, math.ceil(n)))
    # Where n is an integer up to rounding error, ceil can land one short (see Notes).
    if margin_of_error(n_up, confidence=confidence, p=p, population=population) > e:
        n_up += 1
    return n_up


def krejcie_morgan(
    population: int, *, margin: float = 0.05, p: float = 0.5, chi2: float = 3.841
) -> int:
    r"""Sample size from Krejcie and Morgan's formula (their 1970 table).

    .. math::

        n = \frac{\chi^2 N P (1 - P)}{d^2 (N - 1) + \chi^2 P (1 - P)}

    Parameters
    ----------
    population : int
        Population size ``N``, a positive integer.
    margin : float, default 0.05
        Degree of accuracy ``d`` in (0, 1).
    p : float, default 0.5
        Population proportion ``P`` in [0, 1].
    chi2 : float, default 3.841
        ``χ²`` for one degree of freedom at the chosen confidence level (3.841 at
        95 %), positive.

    Returns
    -------
    int
        ``ceil(n)``, at least 1 and never more than ``population``.

    Raises
    ------
    ValueError
        If an argument is outside its range (message in Vietnamese and English).

    Notes
    -----
    With ``χ² = z²`` this is :func:`cochran` with the finite-population correction;
    3.841 is 1.96² rounded, so the two can differ by one respondent.

    The result is rounded up, like :func:`cochran`. The published table appears to
    round to the nearest integer instead, so where the fractional part is below one
    half the function gives one more than the table: N = 50 gives 45 (table: 44,
    exact 44.34) and N = 500 gives 218 (table: 217, exact 217.47). It reproduces
    the table at N = 10, 100, 1 000, 10 000 and 1 000 000 (10, 80, 278, 370, 384);
    N = 100 000 gives 383 (exact 382.63). For very large N the result reaches 385,
    one more than the table's 384, because ``χ² P(1 − P)/d² = 384.1``.

    References
    ----------
    methodology.md §5; Krejcie and Morgan (1970).

    Examples
    --------
    >>> krejcie_morgan(1000)
    278
    >>> krejcie_morgan(100)
    80
    """
    N = _check_population("population", population)
    d = _check_open_unit("margin", margin)
    P = _check_p(p)
    if not _is_real(chi2) or not 0 < chi2 < math.inf:
        raise _fail(
            f"chi2 phải là số dương, nhận {chi2!r}", f"chi2 must be a positive number, got {chi2!r}"
        )
    n = chi2 * N * P * (1 - P) / (d**2 * (N - 1) + chi2 * P * (1 - P))
    return min(N, max(1, math.ceil(n)))


def margin_of_error(
    n: int, *, confidence: float = 0.95, p: float = 0.5, population: int | None = None
) -> float:
    r"""Margin of error reached by a sample of ``n`` for a proportion.

    The inverse of :func:`cochran`:

    .. math::

        e = z \sqrt{\frac{p (1 - p)}{n} \cdot \frac{N - n}{N - 1}}

    where the second factor, the finite-population correction, is left out when no
    population is given.

    Parameters
    ----------
    n : int
        Sample size, a positive integer, at most ``population``.
    confidence : float, default 0.95
        Confidence level in (0, 1).
    p : float, default 0.5
        Proportion in [0, 1].
    population : int, optional
        Population size ``N``, a positive integer.

    Returns
    -------
    float
        The margin ``e``, the half-width of the normal interval.

    Raises
    ------
    ValueError
        If an argument is outside its range, or ``n`` exceeds ``population``.

    Notes
    -----
    Solving ``n = n_0 / (1 + (n_0 − 1)/N)`` for ``n_0`` gives
    ``n_0 = n (N − 1)/(N − n)``, hence the formula. A census (``n = N``) has margin
    0. Because :func:`cochran` rounds up, ``margin_of_error(cochran(e, population=N),
    population=N) <= e``. This is the normal (Wald) margin used to plan a survey; the
    interval reported after the survey is computed separately.

    References
    ----------
    methodology.md §5; Cochran (1977), ch. 4.

    Examples
    --------
    >>> round(margin_of_error(385), 4)
    0.0499
    """
    if not _is_count(n) or n < 1:
        raise _fail(
            f"n phải là số nguyên dương, nhận {n!r}", f"n must be a positive integer, got {n!r}"
        )
    z = _z(confidence)
    p = _check_p(p)
    if population is None:
        return z * math.sqrt(p * (1 - p) / n)
    N = _check_population("population", population)
    if n > N:
        raise _fail(
            f"n ({n}) lớn hơn tổng thể ({N})", f"n ({n}) is larger than the population ({N})"
        )
    if n == N:
        return 0.0
    return z * math.sqrt(p * (1 - p) / n * (N - n) / (N - 1))


def _ordered(keys: list[K]) -> list[K]:
    """Sort keys for tie-breaks: naturally if they compare, else by type and repr."""
    try:
        return sorted(cast("list[Any]", keys))
    except TypeError:
        return sorted(keys, key=lambda k: (type(k).__qualname__, repr(k)))


def _water_fill(
    total: int, w: dict[K, Fraction], low: dict[K, int], high: dict[K, int]
) -> dict[K, Fraction]:
    """Exact ``x_h = min(max(λ w_h, low_h), high_h)`` with ``Σ x_h = total``.

    ``Σ x_h(λ)`` is continuous, non-decreasing and linear between the breakpoints
    ``low_h/w_h`` and ``high_h/w_h``; find the segment that reaches ``total`` by
    bisection and interpolate. The caller guarantees ``Σ low <= total`` and, over
    units with ``w_h > 0``, ``Σ high`` plus the other units' ``low`` ``>= total``.
    """

    def fill(lam: Fraction) -> dict[K, Fraction]:
        return {h: min(max(lam * w[h], Fraction(low[h])), Fraction(high[h])) for h in w}

    def reached(lam: Fraction) -> Fraction:
        return sum(fill(lam).values(), Fraction(0))

    breaks = sorted(
        {Fraction(0)} | {Fraction(b[h]) / w[h] for h in w if w[h] > 0 for b in (low, high)}
    )
    lo, hi = 0, len(breaks) - 1  # reached(breaks[lo]) <= total <= reached(breaks[hi])
    if reached(breaks[lo]) >= total:
        return fill(breaks[lo])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reached(breaks[mid]) < total:
            lo = mid
        else:
            hi = mid
    a, b = breaks[lo], breaks[hi]
    f_a, f_b = reached(a), reached(b)
    return fill(a + (total - f_a) * (b - a) / (f_b - f_a))


def allocate(
    total: int,
    strata: Mapping[K, int],
    *,
    method: Method = "proportional",
    minimum: int = 0,
    stdev: Mapping[K, float] | None = None,
) -> dict[K, int]:
    r"""Split ``total`` forms across units, in whole forms that add up exactly.

    Each unit ``h`` with population ``N_h`` gets a share ``x_h ∝ w_h`` with

    - ``"equal"``: ``w_h = 1``;
    - ``"proportional"``: ``w_h = N_h`` (completed files);
    - ``"neyman"``: ``w_h = N_h S_h`` (Neyman's optimum allocation),

    held between the floor ``m_h = min(minimum, N_h)`` and the cap ``N_h``:

    .. math::

        x_h = \min(\max(\lambda w_h,\ m_h),\ N_h), \qquad \sum_h x_h = n,

    and the shares are then rounded to integers by largest remainder.

    Parameters
    ----------
    total : int
        Total sample size ``n``, a non-negative integer.
    strata : Mapping
        Unit key → population ``N_h``, the number of completed files (integer >= 0).
    method : {"proportional", "equal", "neyman"}, default "proportional"
        How to weight the units.
    minimum : int, default 0
        Smallest number of forms per unit. A unit with fewer files gets all of them.
    stdev : Mapping, optional
        Unit key → ``S_h``, the standard deviation within the unit (>= 0); only for
        ``"neyman"``. Missing units get 0.5, the largest value for a 0/1 answer,
        which with no ``stdev`` at all makes Neyman's rule proportional.

    Returns
    -------
    dict
        Unit key → number of forms ``n_h``, in the order of ``strata``, with
        ``Σ n_h = total`` and ``m_h <= n_h <= N_h``.

    Raises
    ------
    ValueError
        If the method is unknown, ``total`` exceeds the total population, ``total``
        cannot give every unit its minimum, ``stdev`` is given for another method or
        names an unknown unit, or a value is out of range.

    Notes
    -----
    The continuous allocation is what the usual iteration converges to: units whose
    share falls below the minimum get the minimum and units whose share exceeds
    their files get all their files, and the rest is re-allocated among the others
    until nothing moves. It is solved exactly, in fractions, so no rounding error
    creeps in and the input order does not matter. A unit with no files gets 0.
    If Neyman weights are all used up (units with ``S_h = 0`` and every other unit
    at its cap), the remainder goes to the ``S_h = 0`` units in proportion to their
    files.

    Largest remainder (Hamilton's method): every unit gets the integer part of
    ``x_h``, and the forms still missing go one each to the largest fractional
    parts; ties go to the first key in sorted order (by type and ``repr`` if keys do
    not compare). Only units with a fractional part get one, so floors and caps,
    being integers, still hold, and each ``n_h`` is within 1 of ``x_h``.

    The minimum check counts the floors ``Σ m_h``, which is ``minimum`` × number of
    units whenever every unit has at least ``minimum`` files.

    References
    ----------
    methodology.md §5; Cochran (1977), ch. 5; Neyman (1934).

    Examples
    --------
    >>> allocate(100, {"a": 600, "b": 300, "c": 100})
    {'a': 60, 'b': 30, 'c': 10}
    >>> allocate(100, {"a": 600, "b": 300, "c": 100}, minimum=20)
    {'a': 53, 'b': 27, 'c': 20}
    """
    if method not in METHODS:
        raise _fail(
            f"phương pháp phân bổ không hợp lệ: {method!r} (chọn một trong {', '.join(METHODS)})",
            f"unknown allocation method: {method!r} (choose one of {', '.join(METHODS)})",
        )
    if not _is_count(total) or total < 0:
        raise _fail(
            f"total phải là số nguyên không âm, nhận {total!r}",
            f"total must be a non-negative integer, got {total!r}",
        )
    if not _is_count(minimum) or minimum < 0:
        raise _fail(
            f"minimum phải là số nguyên không âm, nhận {minimum!r}",
            f"minimum must be a non-negative integer, got {minimum!r}",
        )
    for h, N_h in strata.items():
        if not _is_count(N_h) or N_h < 0:
            raise _fail(
                f"số hồ sơ của đơn vị {h!r} phải là số nguyên không âm, nhận {N_h!r}",
                f"the population of unit {h!r} must be a non-negative integer, got {N_h!r}",
            )
    if stdev is not None and method != "neyman":
        raise _fail(
            f"stdev chỉ dùng với phương pháp 'neyman', không dùng với {method!r}",
            f"stdev is only used by method 'neyman', not by {method!r}",
        )
    S = dict(stdev or {})
    for h, S_h in S.items():
        if h not in strata:
            raise _fail(f"stdev có đơn vị lạ: {h!r}", f"stdev names an unknown unit: {h!r}")
        if not _is_real(S_h) or not 0 <= S_h < math.inf:
            raise _fail(
                f"độ lệch chuẩn của đơn vị {h!r} phải là số không âm, nhận {S_h!r}",
                f"the standard deviation of unit {h!r} must be a non-negative number, got {S_h!r}",
            )
    population = sum(strata.values())
    if total > population:
        raise _fail(
            f"cỡ mẫu {total} lớn hơn tổng số hồ sơ {population}",
            f"the sample size {total} is larger than the total population {population}",
        )
    m = {h: min(minimum, N_h) for h, N_h in strata.items()}
    if total < sum(m.values()):
        raise _fail(
            f"cỡ mẫu {total} không đủ cho tối thiểu {minimum} phiếu mỗi đơn vị "
            f"({len(strata)} đơn vị cần {sum(m.values())})",
            f"the sample size {total} cannot give each unit its minimum of {minimum} "
            f"({len(strata)} units need {sum(m.values())})",
        )

    if method == "equal":
        w = {h: Fraction(1 if N_h > 0 else 0) for h, N_h in strata.items()}
    elif method == "proportional":
        w = {h: Fraction(N_h) for h, N_h in strata.items()}
    else:
        w = {h: N_h * Fraction(S.get(h, DEFAULT_STDEV)) for h, N_h in strata.items()}
    caps = dict(strata)
    spare = [h for h in w if w[h] == 0 and caps[h] > m[h]]
    used_up = sum(caps[h] for h in w if w[h] > 0) + sum(m[h] for h in w if w[h] == 0)
    if total <= used_up:
        x = _water_fill(total, w, m, caps)
    else:  # only Neyman with S_h = 0: fill the others, then those by their files
        x = {h: Fraction(caps[h]) if w[h] > 0 else Fraction(m[h]) for h in w}
        rest = total - sum(x[h] for h in w if h not in spare)
        w_rest = {h: Fraction(caps[h]) for h in spare}
        x.update(_water_fill(int(rest), w_rest, m, caps))

    n = {h: math.floor(x_h) for h, x_h in x.items()}
    left = total - sum(n.values())
    rank = {h: i for i, h in enumerate(_ordered(list(strata)))}
    by_remainder = sorted(x, key=lambda h: (-(x[h] - n[h]), rank[h]))
    for h in by_remainder[:left]:
        n[h] += 1
    return n


def quotas(
    strata: Mapping[K, int],
    *,
    margin: float = 0.05,
    confidence: float = 0.95,
    method: Method = "proportional",
    minimum: int = 30,
    per_unit: bool = False,
    stdev: Mapping[K, float] | None = None,
) -> dict[K, int]:
    """Number of forms per unit for a precision target.

    Parameters
    ----------
    strata : Mapping
        Unit key → population ``N_h`` (completed files, integer >= 0).
    margin : float, default 0.05
        Margin of error in (0, 1).
    confidence : float, default 0.95
        Confidence level in (0, 1).
    method : {"proportional", "equal", "neyman"}, default "proportional"
        Allocation of the province-level total, see :func:`allocate`; not used when
        ``per_unit``.
    minimum : int, default 30
        Smallest number of forms per unit (a unit with fewer files gets all of
        them).
    per_unit : bool, default False
        Whether every unit must reach ``margin`` on its own.
    stdev : Mapping, optional
        ``S_h`` per unit for ``"neyman"``, see :func:`allocate`.

    Returns
    -------
    dict
        Unit key → number of forms, in the order of ``strata``.

    Raises
    ------
    ValueError
        If an argument is out of range or the method is unknown.

    Notes
    -----
    With ``per_unit``, each unit is its own survey:
    ``n_h = min(N_h, max(minimum, cochran(margin, population=N_h)))``, so a unit's
    own figure has the target precision. This costs far more forms, as the 2018
    Bình Dương quotas (500–600 per district, 150–200 per commune) do.

    Otherwise the target holds for the whole: ``n = cochran(margin,
    population=Σ N_h)``, raised if needed to ``Σ min(minimum, N_h)`` so every unit can
    get its minimum, then split by :func:`allocate`. Unit figures are then less
    precise than ``margin``.

    Units with no files get 0.

    References
    ----------
    methodology.md §5; Cochran (1977), ch. 4–5.

    Examples
    --------
    >>> quotas({"a": 6000, "b": 3000, "c": 300})
    {'a': 226, 'b': 113, 'c': 30}
    """
    e = _check_open_unit("margin", margin)
    if not _is_count(minimum) or minimum < 0:
        raise _fail(
            f"minimum phải là số nguyên không âm, nhận {minimum!r}",
            f"minimum must be a non-negative integer, got {minimum!r}",
        )
    if per_unit:
        if method not in METHODS:
            raise _fail(
                f"phương pháp phân bổ không hợp lệ: {method!r}",
                f"unknown allocation method: {method!r}",
            )
        out: dict[K, int] = {}
        for h, N_h in strata.items():
            if not _is_count(N_h) or N_h < 0:
                raise _fail(
                    f"số hồ sơ của đơn vị {h!r} phải là số nguyên không âm, nhận {N_h!r}",
                    f"the population of unit {h!r} must be a non-negative integer, got {N_h!r}",
                )
            n_h = cochran(e, confidence=confidence, population=N_h) if N_h > 0 else 0
            out[h] = min(N_h, max(minimum, n_h))
        return out
    _z(confidence)
    N = sum(N_h for N_h in strata.values() if _is_count(N_h) and N_h > 0)
    n = cochran(e, confidence=confidence, population=N) if N > 0 else 0
    floors = sum(min(minimum, N_h) for N_h in strata.values() if _is_count(N_h) and N_h > 0)
    return allocate(max(n, floors), strata, method=method, minimum=minimum, stdev=stdev)
