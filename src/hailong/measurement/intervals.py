"""Confidence intervals for shares and for indices built from them.

Every published figure carries an interval (landscape.md: what none of the peers does).
Shares get the Wilson score interval; composite indices (means of item indices that
share respondents) get a linearization (delta-method) interval computed by the engine,
widened to a Wilson floor so that it never collapses to a point at 0 or 100
(``engine.figures.composite_interval``; docs/intervals.md).
"""

from __future__ import annotations

import math
from statistics import NormalDist


def critical_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile, e.g. 1.959964 for 95%.

    Raises ``ValueError`` unless ``0 < confidence < 1``.
    """
    if not 0 < confidence < 1:
        raise ValueError(
            f"mức tin cậy {confidence} phải nằm giữa 0 và 1 / confidence {confidence} must lie between 0 and 1"
        )
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, nobs: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes : float
        Number (or, with weights, effective number) of successes, ``0 <= successes <= nobs``.
    nobs : float
        Number (or effective number) of observations, ``> 0``.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (low, high) : tuple of float
        Bounds on the 0–1 scale.

    Notes
    -----
    With ``q = successes / nobs`` and ``z`` the critical value::

        center = (q + z²/(2n)) / (1 + z²/n)
        dist   = z / (1 + z²/n) * sqrt(q(1 − q)/n + z²/(4n²))

    The interval never leaves [0, 1] and, unlike the Wald interval, keeps close to its
    nominal coverage for small ``n`` and for shares near 0 or 1 (all "satisfied" is
    common for small units). ``successes == 0`` gives a lower bound of exactly 0 and
    ``successes == nobs`` an upper bound of exactly 1. Weighted data use Kish's
    effective sample size for ``nobs`` and ``q × n_eff`` for ``successes``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22, 209–212.
    Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
    proportion. Statistical Science 16(2), 101–133. doi:10.1214/ss/1009213286
    """
    if nobs <= 0:
        raise ValueError("cần ít nhất một quan sát / at least one observation is needed")
    if not 0 <= successes <= nobs:
        raise ValueError(
            f"số thành công {successes} phải nằm giữa 0 và {nobs} / successes {successes} must lie in [0, {nobs}]"
        )
    z = critical_value(confidence)
    crit2 = z * z
    q_ = successes / nobs
    denom = 1 + crit2 / nobs
    center = (q_ + crit2 / (2 * nobs)) / denom
    dist = z * math.sqrt(q_ * (1 - q_) / nobs + crit2 / (4 * nobs**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, center - dist)
    high = 1.0 if successes == nobs else min(1.0, center + dist)
    return low, high


def kish_effective_n(sum_w: float, sum_w2: float) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` of a weighted sample."""
    return (sum_w * sum_w) / sum_w2 if sum_w2 > 0 else 0.0
