"""The dashboards' tables, read once from a computation; each chart is drawn from its table.

A page and its downloads are built by the same functions, so the CSV/XLSX hold exactly the
figures on the screen. Figures are the computation's ``IndexRow`` values, never recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hailong.campaigns.models import Campaign, Channel
from hailong.collection.filing import QUESTION
from hailong.collection.models import CollectionMode, FilingChannel, Response
from hailong.comments.mask import mask
from hailong.core.charts import chart_html, factors_spec, groups_spec, ranking_spec, series_spec
from hailong.measurement.instruments import Instrument
from hailong.results.models import Computation, IndexRow
from hailong.results.selectors import computation_latest, computation_published
from hailong.units.models import Service, Unit, UnitKind

from .access import Access

REFERENCE = Path(__file__).with_name("data") / "national_sipas.yaml"
PRIORITIES = 5
COMMENTS = 8

# Drill-down dimensions: URL slug → stored grouping. Profile questions add "nguoi-tra-loi-<code>".
DIMENSIONS: dict[str, str] = {
    "loai-don-vi": "unit_kind",
    "cap": "unit_level",
    "thu-tuc": "service",
    "linh-vuc": "field",
    "kenh": "source",
    "hinh-thuc-thu-thap": "collection_mode",
    "hinh-thuc-nop": "filing_channel",
    "thang": "month",
}
PROFILE_PREFIX = "nguoi-tra-loi-"
# Groupings made of whole units: other units' aggregates, for province-wide roles only.
UNIT_GROUPINGS = ("unit_kind", "unit_level")


@dataclass
class Table:
    """A table of figures: the first column names the row; numbers stay numbers."""

    key: str
    caption: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)  # per row: a short warning, or ""
    chart: str = ""  # inline SVG markup, made by chart_html (escaped there)
    note: str = ""  # words said instead of a chart, or about the figures

    def lines(self) -> list[tuple[list[Any], str | None, str]]:
        """(cells, link of the first cell, warning) of each row, for the template."""
        links = self.links + [None] * (len(self.rows) - len(self.links))
        return list(zip(self.rows, links, self.marks, strict=True))


@cache
def national_reference() -> dict[str, Any]:
    return dict(yaml.safe_load(REFERENCE.read_text(encoding="utf-8")))


def _language() -> str:
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


@dataclass
class Source:
    """A campaign's latest computation, read once."""

    campaign: Campaign
    computation: Computation | None
    published: Computation | None
    instrument: Instrument

    @property
    def is_published(self) -> bool:
        return self.computation is not None and self.computation.published_at is not None

    @property
    def has_answers(self) -> bool:
        return self.computation is not None and self.computation.n_answers > 0


def source_read(campaign: Campaign) -> Source:
    return Source(
        campaign=campaign,
        computation=computation_latest(campaign=campaign),
        published=computation_published(campaign=campaign),
        instrument=campaign.instrument.to_core(),
    )


def _computed(source: Source) -> Computation:
    if source.computation is None:
        raise ValueError("the campaign has no computation; callers check has_answers first")
    return source.computation


def _keyed(rows: Any) -> dict[str, IndexRow]:
    return {f"{r.level}:{r.code}": r for r in rows}


def _overall(rows: dict[str, IndexRow]) -> IndexRow | None:
    return next((r for k, r in rows.items() if k.startswith("overall:")), None)


def _has(row: IndexRow | None) -> bool:
    return row is not None and row.index is not None


def _interval(row: IndexRow | None) -> list[Any]:
    if row is None:
        return [None, None, None, 0]
    return [row.index, row.low, row.high, row.n]


def _change(row: IndexRow | None) -> list[Any]:
    return [None, None] if row is None else [row.previous, row.delta]


def kind_label(kind: str) -> str:
    try:
        return str(UnitKind(kind).label)
    except ValueError:
        return kind


def province_rows(source: Source) -> dict[str, IndexRow]:
    computation = _computed(source)
    return _keyed(computation.rows.filter(grouping="province"))


def has_previous(province: dict[str, IndexRow]) -> bool:
    return any(r.previous is not None for r in province.values())


def figure_columns() -> list[str]:
    return [_("Index (%)"), _("Lower bound"), _("Upper bound"), _("Answers")]


def province_table(source: Source, province: dict[str, IndexRow], *, charts: bool) -> Table:
    lang = _language()
    table = Table(
        key="tinh",
        caption=_("The province: overall index and the factors (%), with 95% intervals"),
        columns=[_("Factor"), *figure_columns(), _("Previous year"), _("Change (points)")],
    )
    overall = _overall(province)
    entries = [(_("Overall index"), overall)] + [
        (f.label.get(lang), province.get(f"factor:{f.code}")) for f in source.instrument.factors
    ]
    for label, row in entries:
        table.rows.append([label, *_interval(row), *_change(row)])
        table.marks.append("")
    factors = [
        {"label": label, "index": r.index, "low": r.low, "high": r.high}
        for label, r in entries[1:]
        if r is not None and r.index is not None
    ]
    if charts and factors:
        table.chart = chart_html(
            factors_spec(factors, title=_("Satisfied (%)")),
            title=_("Index of each factor in the province, with its interval"),
        )
    elif not factors:
        table.note = _("There are no figures for the factors.")
    return table


def ranking_table(source: Source, access: Access, *, charts: bool) -> Table:
    """Units in the user's reach, best first; units with too few answers marked and last."""
    computation = _computed(source)
    pairs = [
        (r, r.unit)
        for r in computation.rows.filter(grouping="unit", level="overall").select_related("unit")
        if r.unit is not None and access.sees(r.unit_id)
    ]
    pairs.sort(
        key=lambda p: (not (p[0].enough and p[0].index is not None), -(p[0].index or 0), p[1].name)
    )
    min_n = computation.settings.get("min_n", source.campaign.min_answers)
    table = Table(
        key="xep-hang",
        caption=_("Units by overall index (%), with 95% intervals, rank range and change"),
        columns=[_("Unit"), _("Unit kind"), *figure_columns(), _("Rank"), _("Best plausible rank"),
                 _("Worst plausible rank"), _("Change (points)")],
    )  # fmt: skip
    code = source.campaign.code
    for r, unit in pairs:
        table.rows.append([unit.name, kind_label(unit.kind), *_interval(r), r.rank, r.rank_low,
                           r.rank_high, r.delta])  # fmt: skip
        table.links.append(reverse("dashboards:unit", args=[code, unit.code]))
        table.marks.append("" if r.enough and r.index is not None else _("not enough answers"))
    drawn = [
        {"unit": unit.name, "index": r.index, "low": r.low, "high": r.high, "few": not r.enough,
         "href": reverse("dashboards:unit", args=[code, unit.code])}
        for r, unit in pairs
        if r.index is not None
    ]  # fmt: skip
    if not pairs:
        table.note = _("No unit in your scope has answers in this computation.")
    elif charts and drawn:
        table.chart = chart_html(
            ranking_spec(drawn, title=_("Satisfied (%)")),
            title=_("Overall index of each unit with its interval"),
            description=_("Hollow grey points: fewer than %(n)s answers, not ranked.")
            % {"n": min_n},
        )
    return table


def _group_label(grouping: str, value: str, source: Source, services: dict[str, str]) -> str:
    if value == "":
        return _("Not stated")
    if grouping == "unit_kind":
        return kind_label(value)
    if grouping == "unit_level":
        titles = {
            "province_agencies": _("Province departments, agencies and centre"),
            "local": _("Communes and wards"),
            "districts": _("Districts"),
            "province": _("Province"),
        }
        return str(titles.get(value, value))
    if grouping == "service":
        return services.get(value, value)
    choices: dict[str, Any] = {
        "source": Channel,
        "collection_mode": CollectionMode,
        "filing_channel": FilingChannel,
    }
    if grouping in choices:
        try:
            return str(choices[grouping](value).label)
        except ValueError:
            return value
    if grouping == "month" and len(value) >= 7 and value[4] == "-":
        return f"{value[5:7]}/{value[:4]}"
    if grouping.startswith("profile:"):
        try:
            scale = source.instrument.question(grouping.split(":", 1)[1]).scale
            return scale.label_of(int(value), _language())
        except (KeyError, ValueError):
            return value
    return value


def dimension_grouping(slug: str, source: Source) -> str | None:
    if slug in DIMENSIONS:
        return DIMENSIONS[slug]
    if slug.startswith(PROFILE_PREFIX):
        code = slug[len(PROFILE_PREFIX) :]
        try:
            q = source.instrument.question(code)
        except KeyError:
            return None
        return f"profile:{code}" if q.role == "profile" else None
    return None


def dimensions(source: Source, access: Access) -> list[tuple[str, str]]:
    """(slug, title) of every drill-down the user may open."""
    titles = {
        "loai-don-vi": _("Unit kind"),
        "cap": _("Unit level"),
        "thu-tuc": _("Procedure"),
        "linh-vuc": _("Field"),
        "kenh": _("Channel"),
        "hinh-thuc-thu-thap": _("Collection mode"),
        "hinh-thuc-nop": _("Filing channel"),
        "thang": _("Month"),
    }
    found = [
        (slug, str(title))
        for slug, title in titles.items()
        if access.full or DIMENSIONS[slug] not in UNIT_GROUPINGS
    ]
    lang = _language()
    for q in source.instrument.questions():
        # the filing question is counted as "Filing channel" (which API answers fill too)
        if q.role == "profile" and q.scale.type in ("ordinal", "choice") and q.code != QUESTION:
            found.append((PROFILE_PREFIX + q.code, q.text.get(lang)))
    return found


def _service_names(values: Iterable[str]) -> dict[str, str]:
    """Procedure ids stored as group values → "name (code)" labels, in one query."""
    return {
        str(pk): f"{name} ({code})"
        for pk, name, code in Service.objects.filter(
            pk__in=[int(v) for v in values if v.isdigit()]
        ).values_list("pk", "name", "code")
    }


def _groups_chart(
    table: Table,
    entries: Sequence[tuple[str, IndexRow | None]],
    province: dict[str, IndexRow],
    *,
    charts: bool,
) -> Table:
    """Mark the rows without enough answers and draw the others beside the province's index,
    or say in a note why there is no chart; ``entries`` are the table's rows, in order."""
    drawn = []
    for label, group in entries:
        if group is not None and group.enough and group.index is not None:
            table.marks.append("")
            drawn.append(
                {"label": label, "index": group.index, "low": group.low, "high": group.high}
            )
        else:
            table.marks.append(_("not enough answers"))
    reference = _overall(province)
    if not entries:
        table.note = _("There are no figures for this grouping.")
    elif not drawn:
        table.note = _("No group has enough answers for a chart; the table shows what there is.")
    elif charts:
        table.chart = chart_html(
            groups_spec(drawn, title=_("Satisfied (%)"),
                        reference=reference.index if reference else None),
            title=table.caption,
            description=_("The dashed line is the province's overall index."),
        )  # fmt: skip
    return table


def group_table(
    source: Source,
    grouping: str,
    province: dict[str, IndexRow],
    *,
    key: str,
    caption: str,
    charts: bool,
) -> Table:
    """One grouping's overall index and factors, each group a row, the province as reference."""
    computation = _computed(source)
    lang = _language()
    factors = source.instrument.factors
    by_group: dict[str, dict[str, IndexRow]] = {}
    for r in computation.rows.filter(grouping=grouping, level__in=("overall", "factor")):
        by_group.setdefault(r.group_value, {})[f"{r.level}:{r.code}"] = r
    services = _service_names(by_group) if grouping == "service" else {}
    table = Table(
        key=key,
        caption=caption,
        columns=[_("Group"), *figure_columns(), _("Change (points)"),
                 *[f.label.get(lang) for f in factors]],
    )  # fmt: skip
    entries: list[tuple[str, IndexRow | None, dict[str, IndexRow]]] = [
        (_group_label(grouping, value, source, services), _overall(rows), rows)
        for value, rows in by_group.items()
    ]
    entries.sort(
        key=lambda e: (e[1] is None or e[1].index is None, -(e[1].index or 0) if e[1] else 0, e[0])
    )
    if grouping == "month":
        entries.sort(key=lambda e: e[0][3:] + e[0][:2])
    for label, group, rows in entries:
        table.rows.append([label, *_interval(group), group.delta if group else None,
                           *[(fr.index if (fr := rows.get(f"factor:{f.code}")) else None) for f in factors]])  # fmt: skip
    return _groups_chart(
        table, [(label, group) for label, group, _r in entries], province, charts=charts
    )


def series_table(source: Source, province: dict[str, IndexRow], *, charts: bool) -> Table:
    """The province's index in each year of this questionnaire beside the national SIPAS."""
    lang = _language()
    reference = national_reference()
    national = {int(p["year"]): float(p["index"]) for p in reference["series"]}
    mine: dict[int, float] = {}
    campaigns = Campaign.objects.filter(
        instrument__code=source.campaign.instrument.code, year__lte=source.campaign.year
    )
    for campaign in campaigns:
        computation = (
            source.computation
            if campaign == source.campaign
            else computation_latest(campaign=campaign)
        )
        if computation is None:
            continue
        row = computation.rows.filter(grouping="province", level="overall").first()
        if row is not None and row.index is not None:
            mine[campaign.year] = row.index
    years = sorted(set(mine) | set(national))
    table = Table(
        key="qua-cac-nam",
        caption=_("The province's overall index by year beside the national SIPAS index (%)"),
        columns=[_("Year"), _("Province"), _("National SIPAS")],
    )
    for year in years:
        table.rows.append([str(year), mine.get(year), national.get(year)])
        table.marks.append("")
    table.note = _("National figures: %(source)s.") % {"source": reference["source"][lang]}
    points = [
        {"series": str(_("Province")), "year": str(y), "index": v} for y, v in sorted(mine.items())
    ]
    points += [
        {"series": str(_("National SIPAS")), "year": str(y), "index": v}
        for y, v in sorted(national.items())
    ]
    if charts and mine:
        table.chart = chart_html(
            series_spec(points, title=_("Satisfied (%)")),
            title=table.caption,
            description=_(
                "The national series is a reference: its questionnaire and sample differ."
            ),
        )
    return table


def overview(source: Source, access: Access, *, charts: bool = True) -> dict[str, Any]:
    if not source.has_answers:
        return {"tables": [], "province": {}, "overall": None}
    province = province_rows(source)
    tables = [
        province_table(source, province, charts=charts),
        ranking_table(source, access, charts=charts),
    ]
    if access.full:
        tables.append(group_table(source, "unit_kind", province, key="loai-don-vi",
                                  caption=_("Overall index by unit kind (%)"), charts=charts))  # fmt: skip
    tables.append(series_table(source, province, charts=charts))
    return {"tables": tables, "province": province, "overall": _overall(province),
            "has_previous": has_previous(province)}  # fmt: skip


def drill(source: Source, grouping: str, title: str, *, charts: bool = True) -> dict[str, Any]:
    if not source.has_answers:
        return {"tables": []}
    province = province_rows(source)
    table = group_table(source, grouping, province, key="nhom", charts=charts,
                        caption=_("Index (%%) by group: %(dimension)s") % {"dimension": title})  # fmt: skip
    return {"tables": [table], "overall": _overall(province)}


def recent_comments(source: Source, unit: Unit) -> list[dict[str, Any]]:
    """The unit's latest free-text answers, masked (names, phones, e-mails, ID numbers)."""
    codes = [q.code for q in source.instrument.questions() if q.role == "comment"]
    if not codes:
        return []
    found: list[dict[str, Any]] = []
    answers = (
        Response.objects.filter(campaign=source.campaign, unit=unit)
        .exclude(review=Response.Review.REJECTED)
        .order_by("-submitted_at")
        .values_list("submitted_at", "answers")
    )
    for submitted_at, given in answers.iterator(chunk_size=200):
        for code in codes:
            text = (given or {}).get(code)
            if isinstance(text, str) and text.strip():
                found.append({"at": submitted_at, "text": mask(text.strip()).text})
        if len(found) >= COMMENTS:
            break
    return found[:COMMENTS]


def unit_breakdown_table(
    source: Source,
    unit: Unit,
    province: dict[str, IndexRow],
    *,
    paired: str,
    key: str,
    caption: str,
    heading: str,
    charts: bool,
) -> Table:
    """The unit's overall index per procedure or channel (stored as ``unit_service`` /
    ``unit_source``, group_value "<unit id>|<value>"), the province's overall as reference."""
    computation = _computed(source)
    grouping = {"unit_service": "service", "unit_source": "source"}[paired]
    rows = {
        r.group_value.split("|", 1)[1]: r
        for r in computation.rows.filter(grouping=paired, unit=unit, level="overall")
    }
    services = _service_names(rows) if grouping == "service" else {}
    table = Table(key=key, caption=caption, columns=[heading, *figure_columns()])
    entries = sorted(
        ((_group_label(grouping, value, source, services), r) for value, r in rows.items()),
        key=lambda e: (not (e[1].enough and e[1].index is not None), -(e[1].index or 0), e[0]),
    )
    for label, r in entries:
        table.rows.append([label, *_interval(r)])
    return _groups_chart(table, entries, province, charts=charts)


def scorecard(source: Source, unit: Unit, *, charts: bool = True) -> dict[str, Any]:
    """One unit's factors and criteria beside the province and last year, its priorities."""
    if not source.has_answers:
        return {"tables": [], "overall": None}
    computation = _computed(source)
    lang = _language()
    mine = _keyed(computation.rows.filter(grouping="unit", unit=unit))
    province = province_rows(source)
    overall = _overall(mine)
    enough = overall is not None and overall.enough and overall.index is not None
    if overall is None:
        return {"tables": [], "overall": None, "comments": recent_comments(source, unit)}
    factors = Table(
        key="yeu-to",
        caption=_("The unit's factors (%) beside the province and the previous year"),
        columns=[_("Factor"), *figure_columns(), _("Province"), _("Previous year"), _("Change (points)")],
    )  # fmt: skip
    entries = [(_("Overall index"), overall, _overall(province))] + [
        (f.label.get(lang), mine.get(f"factor:{f.code}"), province.get(f"factor:{f.code}"))
        for f in source.instrument.factors
    ]
    for label, row, prov in entries:
        factors.rows.append([label, *_interval(row), prov.index if prov else None, *_change(row)])
        factors.marks.append("" if row is not None and row.enough else _("not enough answers"))
    drawn = [
        {"label": label, "index": r.index, "low": r.low, "high": r.high}
        for label, r, _p in entries[1:]
        if r is not None and r.index is not None
    ]
    prov_overall = _overall(province)
    if not enough:
        factors.note = _(
            "This unit has fewer than %(n)s answers: its figures are too uncertain to draw or rank."
        ) % {"n": computation.settings.get("min_n", source.campaign.min_answers)}
    elif charts and drawn:
        factors.chart = chart_html(
            groups_spec(drawn, title=_("Satisfied (%)"),
                        reference=prov_overall.index if prov_overall else None),
            title=_("The unit's factors with their intervals"),
            description=_("The dashed line is the province's overall index."),
        )  # fmt: skip
    items = Table(
        key="tieu-chi",
        caption=_("Every criterion (%) beside the province and the previous year"),
        columns=[_("Criterion"), _("Factor"), *figure_columns(), _("Province"), _("Previous year"), _("Change (points)")],
    )  # fmt: skip
    for q in source.instrument.items():
        row = mine.get(f"item:{q.code}")
        prov = province.get(f"item:{q.code}")
        items.rows.append([q.text.get(lang), q.factor, *_interval(row), prov.index if prov else None, *_change(row)])  # fmt: skip
        items.marks.append("" if row is not None and row.enough else _("not enough answers"))
    ranked = sorted(
        (
            (q, r)
            for q in source.instrument.items()
            if (r := mine.get(f"item:{q.code}")) is not None and r.index is not None and r.enough
        ),
        key=lambda qr: qr[1].index or 0,
    )[:PRIORITIES]
    priorities = Table(
        key="uu-tien",
        caption=_("Where respondents are least satisfied: the unit's lowest criteria (%)"),
        columns=[_("Criterion"), *figure_columns(), _("Province")],
    )
    for q, r in ranked:
        prov = province.get(f"item:{q.code}")
        priorities.rows.append([q.text.get(lang), *_interval(r), prov.index if prov else None])
        priorities.marks.append("")
    if not ranked:
        priorities.note = _("No criterion has enough answers to say.")
    by_service = unit_breakdown_table(
        source, unit, province, paired="unit_service", key="theo-thu-tuc", charts=charts,
        caption=_("The unit's overall index (%) by procedure"), heading=_("Procedure"),
    )  # fmt: skip
    by_channel = unit_breakdown_table(
        source, unit, province, paired="unit_source", key="theo-kenh", charts=charts,
        caption=_("The unit's overall index (%) by channel"), heading=_("Channel"),
    )  # fmt: skip
    return {
        "tables": [factors, items, priorities, by_service, by_channel],
        "overall": overall,
        "enough": enough,
        "province_overall": prov_overall,
        "has_previous": has_previous(province),
        "comments": recent_comments(source, unit),
    }
