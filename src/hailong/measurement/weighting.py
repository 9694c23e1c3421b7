"""Post-stratification of each unit's answers to its real volume of completed files.

A unit that answered mostly at the desk for one procedure but completed most of its files
online for another would be judged on the wrong mix; weighting each stratum (service or
channel) to its share of completed files corrects that.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from .intervals import kish_effective_n


@dataclass(frozen=True)
class UnitWeights:
    """Weights of one unit's answers, per stratum, and what they cost in precision.

    ``weights[h] = (N_h / N) / (n_h / n)`` over the strata that have answers, so the weights
    average 1 over the unit's answers. ``n_eff`` is Kish's effective sample size.
    ``uncovered`` lists strata with completed files but no answer: their share is spread
    over the covered strata, and the report says so.
    """

    weights: dict[Hashable, float]
    n: int
    n_eff: float
    uncovered: tuple[Hashable, ...] = field(default=())


class WeightingError(ValueError):
    """Answers fall in strata the volume table does not know; nothing is weighted."""


def poststratify(
    sample: Mapping[Hashable, Mapping[Hashable, int]],
    population: Mapping[Hashable, Mapping[Hashable, int]],
) -> dict[Hashable, UnitWeights]:
    """Weights per unit and stratum.

    Parameters
    ----------
    sample : mapping
        unit → stratum → number of answers.
    population : mapping
        unit → stratum → number of completed files in the period (imported per campaign).

    Raises
    ------
    WeightingError
        If a unit has answers in a stratum with no recorded volume, or no volume at all:
        every such (unit, stratum) is named, in Vietnamese and English.
    """
    problems = []
    for unit, strata in sample.items():
        volumes = population.get(unit, {})
        for stratum, n_h in strata.items():
            if n_h > 0 and volumes.get(stratum, 0) <= 0:
                problems.append(f"{unit}/{stratum}")
    if problems:
        listed = ", ".join(problems[:20]) + (" …" if len(problems) > 20 else "")
        raise WeightingError(
            f"Có câu trả lời ở nhóm không có số hồ sơ: {listed} / answers in strata with no file volume: {listed}"
        )
    out: dict[Hashable, UnitWeights] = {}
    for unit, strata in sample.items():
        volumes = population[unit]
        covered = {h: n_h for h, n_h in strata.items() if n_h > 0}
        n = sum(covered.values())
        if n == 0:
            continue
        N_covered = sum(volumes[h] for h in covered)
        weights = {h: (volumes[h] / N_covered) / (n_h / n) for h, n_h in covered.items()}
        sum_w = sum(weights[h] * n_h for h, n_h in covered.items())
        sum_w2 = sum(weights[h] ** 2 * n_h for h, n_h in covered.items())
        uncovered = tuple(h for h, N_h in volumes.items() if N_h > 0 and h not in covered)
        out[unit] = UnitWeights(
            weights=weights, n=n, n_eff=kish_effective_n(sum_w, sum_w2), uncovered=uncovered
        )
    return out
