"""Factor, part and overall indices as weighted sums of item indices.

Every composite of an instrument is a set of *blocks*, one per factor it draws on::

    composite = Σ_b  w_b · Σ_{j ∈ b} v_j · I_j        (Σ_b w_b = 1, Σ_j v_j = 1 in each block)

where ``I_j`` is item j's index and the ``v_j`` come from the factor's own rule (equal
weights, explicit weights, or its direct question). Written this way one engine serves
the 2017 model (mean of 5 factors), the 2023 model (mean of the policy and service
parts), explicit weights (exact fractions) and the Indonesian IKM.

Missing data (methodology.md §2: never counted as 0): within a block, items with no valid
answer in a group are dropped and the others' ``v_j`` rescaled to sum to 1; a block with no
valid answer at all makes the composite "no data" for that group, rather than silently
changing its definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .instruments import Factor, Instrument


@dataclass(frozen=True)
class Block:
    weight: Fraction
    items: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True)
class Composite:
    level: str  # "factor" | "part" | "overall"
    code: str
    blocks: tuple[Block, ...]
    multiplier: Fraction = Fraction(1)

    @property
    def item_codes(self) -> set[str]:
        return {code for block in self.blocks for code, _ in block.items}


def factor_items(instrument: Instrument, factor: Factor) -> tuple[tuple[str, Fraction], ...]:
    """The within-factor item weights given by the factor's rule."""
    if factor.rule == "weighted":
        return factor.weights
    if factor.rule == "direct" and factor.question is not None:
        return ((factor.question, Fraction(1)),)
    items = instrument.items(factor.code)
    return tuple((q.code, Fraction(1, len(items))) for q in items)


def composites(instrument: Instrument) -> list[Composite]:
    """Every factor, every part and the overall index of an instrument."""
    agg = instrument.aggregation
    blocks = {f.code: factor_items(instrument, f) for f in instrument.factors}
    out = [
        Composite("factor", f.code, (Block(Fraction(1), blocks[f.code]),))
        for f in instrument.factors
    ]
    members = {
        p.code: [f.code for f in instrument.factors if f.part == p.code] for p in instrument.parts
    }
    for part, codes in members.items():
        if codes:
            out.append(
                Composite(
                    "part", part, tuple(Block(Fraction(1, len(codes)), blocks[c]) for c in codes)
                )
            )
    overall: tuple[Block, ...]
    if agg.overall == "direct" and agg.question is not None:
        overall = (Block(Fraction(1), ((agg.question, Fraction(1)),)),)
    elif agg.overall == "mean_of_parts":
        parts = [codes for codes in members.values() if codes]
        overall = tuple(
            Block(Fraction(1, len(parts) * len(codes)), blocks[c]) for codes in parts for c in codes
        )
    elif agg.overall == "weighted":
        weighted: list[Block] = []
        for key, weight in agg.weights:
            codes = members.get(key, [key])
            weighted.extend(Block(weight / len(codes), blocks[c]) for c in codes)
        overall = tuple(weighted)
    else:
        n = len(instrument.factors)
        overall = tuple(Block(Fraction(1, n), blocks[f.code]) for f in instrument.factors)
    out.append(Composite("overall", "overall", overall, agg.multiplier))
    return out


def index_questions(instrument: Instrument) -> list[str]:
    """Questions whose item index is computed: every item plus any direct question."""
    codes = [q.code for q in instrument.items()]
    if instrument.aggregation.question and instrument.aggregation.question not in codes:
        codes.append(instrument.aggregation.question)
    return codes


DESCRIBED_ROLES = {"priority": "expectation", "perception": "perception", "screening": "perception"}


def described_questions(instrument: Instrument) -> list[tuple[str, str]]:
    """Questions reported on their own, outside every composite: priorities (level
    ``expectation``: the share choosing the top levels, methodology.md §4) and perceptions
    (level ``perception``: their distribution, and the share of the scale's top levels if
    it has any)."""
    return [
        (q.code, DESCRIBED_ROLES[q.role])
        for q in instrument.questions()
        if q.role in DESCRIBED_ROLES and q.scale.type in ("ordinal", "choice")
    ]
