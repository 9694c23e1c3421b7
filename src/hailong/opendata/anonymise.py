"""k-anonymity of the respondent block before answers leave the building (docs/open-data.md).

The profile attributes (sex, age band, education, ...) are released only in combinations
that at least ``k`` answers of the same unit share. The rule is small on purpose:

1. A unit with fewer than ``k`` answers releases no attribute at all (its rows are blank).
2. Attributes are dropped one at a time, the "rarest" first (the one with the most answers
   in its own unit × value cells smaller than ``k``), until every cell
   (unit × every released attribute) holds at least ``k`` answers.

A missing answer is a value of its own. Nothing is generalised: the age question already
asks for bands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

K = 5

Cells = Counter[tuple[Hashable, tuple[object, ...]]]


@dataclass(frozen=True)
class Release:
    released: tuple[str, ...]
    dropped: tuple[str, ...]
    small_units: frozenset[Hashable] = field(default_factory=frozenset)
    k: int = K


def _marginal(cells: Cells, keep: Sequence[int]) -> Counter[tuple[Hashable, tuple[object, ...]]]:
    out: Counter[tuple[Hashable, tuple[object, ...]]] = Counter()
    for (unit, values), n in cells.items():
        out[(unit, tuple(values[i] for i in keep))] += n
    return out


def _at_risk(cells: Cells, keep: Sequence[int], small: frozenset[Hashable], k: int) -> int:
    """Answers in a unit × attributes cell smaller than k (small units excepted: blanked)."""
    return sum(n for (unit, _), n in _marginal(cells, keep).items() if n < k and unit not in small)


def profile_release(cells: Cells, attributes: Sequence[str], *, k: int = K) -> Release:
    """Which attributes can be released: ``cells`` counts answers per (unit, full profile).

    Each key's value tuple lists the answer to every attribute of ``attributes``, in order.
    """
    totals: Counter[Hashable] = Counter()
    for (unit, _), n in cells.items():
        totals[unit] += n
    small = frozenset(u for u, n in totals.items() if n < k)
    keep = list(range(len(attributes)))
    rarity = {i: _at_risk(cells, [i], small, k) for i in keep}
    dropped: list[str] = []
    while keep and _at_risk(cells, keep, small, k) > 0:
        rarest = max(keep, key=lambda i: (rarity[i], -i))
        keep.remove(rarest)
        dropped.append(attributes[rarest])
    return Release(
        released=tuple(attributes[i] for i in keep),
        dropped=tuple(dropped),
        small_units=small,
        k=k,
    )
