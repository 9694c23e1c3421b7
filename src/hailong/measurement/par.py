"""PAR Index points from a satisfaction index (methodology.md §4).

``points = index% × max_points`` by default; the maximum and the formula are set per
campaign and unit kind, since the PAR Index schemes give the survey different weights
(about 10 of 100 points for provinces, 31,5 for ministries, 30 for a Hà Nội department).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FORMULAS = ("linear", "above_floor")


def par_points(
    index: float | None,
    *,
    max_points: Fraction | Decimal | int | str,
    formula: str = "linear",
    floor: float = 50.0,
    places: int = 2,
) -> Decimal | None:
    """Points earned by a unit, rounded half up to ``places`` decimals.

    Parameters
    ----------
    index : float or None
        The unit's satisfaction index on 0–100; None gives None ("no data", never 0).
    max_points : number
        Points the survey is worth for this kind of unit, e.g. ``"10"`` or ``"31.5"``.
    formula : {"linear", "above_floor"}
        ``linear``: ``index/100 × max``. ``above_floor``: 0 at or below ``floor``, rising
        linearly to ``max`` at 100 — for schemes that only reward satisfaction above a level.
    """
    if formula not in FORMULAS:
        raise ValueError(
            f"công thức '{formula}' không có (chọn: {', '.join(FORMULAS)}) / "
            f"formula '{formula}' does not exist (choose: {', '.join(FORMULAS)})"
        )
    if index is None:
        return None
    if not 0 <= index <= 100:
        raise ValueError(f"chỉ số {index} phải trong 0–100 / index {index} must lie in 0–100")
    maximum = Fraction(str(max_points))
    share = Fraction(repr(index)) / 100
    if formula == "above_floor":
        share = max(
            Fraction(0),
            (Fraction(repr(index)) - Fraction(repr(floor))) / (100 - Fraction(repr(floor))),
        )
    exact = share * maximum
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def points_table(
    indices: Mapping[str, tuple[str, float | None]],
    max_points: Mapping[str, str],
    **options: object,
) -> dict[str, Decimal | None]:
    """Points for every unit: ``indices`` maps unit → (unit kind, index); ``max_points`` kind → max."""
    out: dict[str, Decimal | None] = {}
    for unit, (kind, index) in indices.items():
        if kind not in max_points:
            raise ValueError(
                f"chưa đặt điểm tối đa cho loại đơn vị '{kind}' / no maximum set for unit kind '{kind}'"
            )
        out[unit] = par_points(index, max_points=max_points[kind], **options)  # type: ignore[arg-type]
    return out
