"""Published results as the public portal shows them: the national ranking format."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hailong.campaigns.models import Campaign
from hailong.measurement.instruments import Instrument
from hailong.results.models import Computation, IndexRow
from hailong.results.selectors import computation_published
from hailong.results.services import RANK_CLASS
from hailong.units.models import Unit

CLASS_ORDER = ("province_agencies", "districts", "local")


def class_title(klass: str) -> str:
    """The name of a class of ranked units, as pages, charts and the report print it."""
    titles = {
        "province_agencies": _("Province departments, agencies and centre"),
        "local": _("Communes and wards"),
        "districts": _("Districts"),
    }
    return titles.get(klass, klass)


@dataclass
class RankedUnit:
    unit: Unit
    overall: IndexRow
    factors: list[IndexRow | None]
    previous_rank: int | None = None

    @property
    def delta_rank(self) -> int | None:
        if self.previous_rank is None or self.overall.rank is None:
            return None
        return self.previous_rank - self.overall.rank  # positive: moved up


@dataclass
class RankingTable:
    klass: str
    ranked: list[RankedUnit] = field(default_factory=list)
    unranked: list[RankedUnit] = field(default_factory=list)

    def extremes(self) -> list[tuple[float | None, float | None]]:
        """Min–max of the overall index and of each factor over the ranked units."""
        columns: list[list[float]] = [
            [u.overall.index for u in self.ranked if u.overall.index is not None]
        ]
        width = len(self.ranked[0].factors) if self.ranked else 0
        for f in range(width):
            columns.append(
                [
                    r.index
                    for u in self.ranked
                    if (r := u.factors[f]) is not None and r.index is not None
                ]
            )
        return [(min(c), max(c)) if c else (None, None) for c in columns]


@dataclass
class Published:
    campaign: Campaign
    computation: Computation
    instrument: Instrument
    province: dict[str, IndexRow]
    tables: list[RankingTable]


def published_campaign() -> Campaign | None:
    for campaign in Campaign.objects.filter(status=Campaign.Status.PUBLISHED).order_by(
        "-year", "-period_start"
    ):
        if computation_published(campaign=campaign) is not None:
            return campaign
    return None


def _previous_ranks(campaign: Campaign) -> dict[int, int]:
    earlier = (
        Computation.objects.filter(
            campaign__year__lt=campaign.year,
            instrument__code=campaign.instrument.code,
            published_at__isnull=False,
        )
        .order_by("-campaign__year", "-published_at")
        .first()
    )
    if earlier is None:
        return {}
    rows = earlier.rows.filter(grouping="unit", level="overall", rank__isnull=False)
    return {u: r for u, r in rows.values_list("unit_id", "rank") if u is not None and r is not None}


def published(campaign: Campaign) -> Published | None:
    computation = computation_published(campaign=campaign)
    if computation is None:
        return None
    return ranking(computation)


def ranking(computation: Computation) -> Published:
    """A computation's figures in the national ranking format, published or not (reports)."""
    campaign = computation.campaign
    instrument = computation.instrument.to_core()
    factor_codes = [f.code for f in instrument.factors]
    province = {
        f"{r.level}:{r.code}": r
        for r in computation.rows.filter(
            grouping="province", level__in=("overall", "factor", "part")
        )
    }
    by_unit: dict[int, dict[str, IndexRow]] = defaultdict(dict)
    rows = computation.rows.filter(grouping="unit", level__in=("overall", "factor")).select_related(
        "unit"
    )
    units: dict[int, Unit] = {}
    for row in rows:
        if row.unit_id is None or row.unit is None:
            continue
        units[row.unit_id] = row.unit
        by_unit[row.unit_id][row.code if row.level == "factor" else "overall"] = row
    previous = _previous_ranks(campaign)
    tables = {k: RankingTable(klass=k) for k in CLASS_ORDER}
    for unit_id, figures in by_unit.items():
        unit = units[unit_id]
        entry = RankedUnit(
            unit=unit,
            overall=figures["overall"],
            factors=[figures.get(code) for code in factor_codes],
            previous_rank=previous.get(unit_id),
        )
        table = tables[RANK_CLASS.get(unit.kind, "province_agencies")]
        (table.ranked if entry.overall.rank is not None else table.unranked).append(entry)
    for table in tables.values():
        table.ranked.sort(key=lambda u: (u.overall.rank or 0, u.unit.name))
        table.unranked.sort(key=lambda u: u.unit.name)
    return Published(
        campaign=campaign,
        computation=computation,
        instrument=instrument,
        province=province,
        tables=[t for t in tables.values() if t.ranked or t.unranked],
    )


def unit_figures(computation: Computation, unit: Unit) -> dict[str, Any]:
    """Every figure of one unit, and the province's, for the unit page."""
    mine = {f"{r.level}:{r.code}": r for r in computation.rows.filter(grouping="unit", unit=unit)}
    province = {f"{r.level}:{r.code}": r for r in computation.rows.filter(grouping="province")}
    return {"mine": mine, "province": province}


def published_years(computation: Computation) -> dict[int, Computation]:
    """The published computation of each year of this questionnaire, up to this one."""
    found: dict[int, Computation] = {}
    for earlier in Computation.objects.filter(
        instrument__code=computation.instrument.code,
        campaign__year__lte=computation.campaign.year,
        published_at__isnull=False,
    ).order_by("campaign__year", "published_at"):
        found[earlier.campaign.year] = earlier
    found[computation.campaign.year] = computation
    return found


def overall_by_year(computation: Computation, *, unit: Unit | None = None) -> dict[int, float]:
    """Published overall index per year, of the province or of one unit."""
    years: dict[int, float] = {}
    for year, earlier in published_years(computation).items():
        rows = earlier.rows.filter(level="overall")
        rows = rows.filter(grouping="unit", unit=unit) if unit else rows.filter(grouping="province")
        row = rows.first()
        if row is not None and row.index is not None:
            years[year] = row.index
    return years
