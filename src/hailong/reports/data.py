"""What a report says, gathered once from a stored computation and formatted as text.

The PDF and the scorecards receive these strings through JSON and place them as they are, so
every figure is formatted here, the Vietnamese way (82,66; 1.234), by ``core.formats`` — the
same functions the web pages use — and never recomputed: it is the computation's ``IndexRow``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hailong.core.formats import date_vn, number_vn
from hailong.core.templatetags.vn import signed_vn
from hailong.measurement.instruments import Instrument
from hailong.portal.results import Published, RankedUnit, class_title, ranking
from hailong.results.models import Computation, IndexRow
from hailong.units.models import Unit, UnitKind
from hailong.units.selectors import units_by_name

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
LOWEST_ITEMS = 5


def n2(value: float | None) -> str:
    return number_vn(value, 2)


def interval(row: IndexRow | None) -> str:
    if row is None or row.low is None or row.high is None:
        return "–"
    return f"{n2(row.low)}–{n2(row.high)}"


def date_words(day: dt.date) -> str:
    """``Thanh Hóa, ngày 28 tháng 11 năm 2026`` (Nghị định 30/2020/NĐ-CP)."""
    return (
        f"{settings.HAILONG_REPORT_PLACE}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    )


def kind_label(kind: str) -> str:
    try:
        return str(UnitKind(kind).label)
    except ValueError:
        return kind


def overall_of(rows: dict[str, IndexRow]) -> IndexRow | None:
    """The overall row of a group, whatever the questionnaire calls its code."""
    return next((r for k, r in rows.items() if k.startswith("overall:")), None)


@dataclass
class ReportSource:
    """The computation read once: the ranking (portal format) and every unit's rows."""

    computation: Computation
    published: Published
    instrument: Instrument
    province: dict[str, IndexRow]
    units: dict[int, Unit]
    unit_rows: dict[int, dict[str, IndexRow]]
    kinds: dict[str, dict[str, IndexRow]]

    @property
    def has_previous(self) -> bool:
        return any(r.previous is not None for r in self.province.values())


def source_read(computation: Computation) -> ReportSource:
    published = ranking(computation)
    province = {f"{r.level}:{r.code}": r for r in computation.rows.filter(grouping="province")}
    unit_rows: dict[int, dict[str, IndexRow]] = defaultdict(dict)
    for row in computation.rows.filter(grouping="unit", unit__isnull=False).order_by("id"):
        unit_rows[row.unit_id][f"{row.level}:{row.code}"] = row  # type: ignore[index]
    units = {u.pk: u for u in units_by_name(Unit.objects.filter(pk__in=unit_rows))}
    kinds: dict[str, dict[str, IndexRow]] = defaultdict(dict)
    for row in computation.rows.filter(grouping="unit_kind", level__in=("overall", "factor")):
        kinds[row.group_value][f"{row.level}:{row.code}"] = row
    return ReportSource(
        computation=computation,
        published=published,
        instrument=published.instrument,
        province=province,
        units=units,
        unit_rows=dict(unit_rows),
        kinds=dict(kinds),
    )


def _delta(value: float | None, has_previous: bool) -> str:
    if value is None:
        return "–" if has_previous else _("no previous year")
    return signed_vn(value)


def _rank_range(row: IndexRow) -> str:
    if row.rank is None:
        return ""
    if row.rank_low == row.rank_high:
        return str(row.rank_low)
    return f"{row.rank_low}–{row.rank_high}"


def _ranked_row(entry: RankedUnit, has_previous: bool) -> dict[str, Any]:
    o = entry.overall
    delta_rank = entry.delta_rank
    return {
        "unit": entry.unit.name,
        "code": entry.unit.code,
        "index": n2(o.index),
        "interval": interval(o),
        "n": number_vn(o.n),
        "rank": str(o.rank) if o.rank is not None else "",
        "range": _rank_range(o),
        "delta": _delta(o.delta, has_previous),
        "delta_rank": signed_vn(delta_rank, 0) if delta_rank is not None else "–",
        "factors": [n2(f.index) if f is not None else "–" for f in entry.factors],
    }


def _figure(label: str, row: IndexRow | None, province: IndexRow | None = None) -> dict[str, Any]:
    return {
        "label": label,
        "index": n2(row.index) if row is not None else "–",
        "interval": interval(row),
        "n": number_vn(row.n) if row is not None else "0",
        "enough": bool(row is not None and row.enough and row.index is not None),
        "province": n2(province.index) if province is not None else "–",
    }


def words() -> dict[str, str]:
    """The report's wording, from the catalogue."""
    return {
        "report": _("REPORT"),
        "number": _("No.:"),
        "summary": _("Summary"),
        "method": _("Method"),
        "results": _("Results by factor"),
        "kinds": _("Results by unit kind"),
        "ranking": _("Ranking of units"),
        "asks": _("What people ask for"),
        "annex": _("Annex: one page per unit"),
        "factor": _("Factor"),
        "item": _("Criterion"),
        "unit": _("Unit"),
        "kind": _("Unit kind"),
        "index": _("Index (%)"),
        "interval": _("Interval"),
        "answers": _("Answers"),
        "rank": _("Rank"),
        "range": _("Rank range"),
        "delta": _("Δ points"),
        "delta_rank": _("Δ rank"),
        "province": _("Province"),
        "lowest": _("Lowest"),
        "highest": _("Highest"),
        "overall": _("Overall index"),
        "not_enough": _("too few answers"),
        "no_answers": _("This campaign has no answers yet: there are no figures to report."),
        "no_previous": _("no previous year"),
        "unranked": _("Units with too few answers (not ranked)"),
        "scorecard": _("Scorecard"),
        "unit_short": _("the unit is not ranked and its figures are not shown"),
    }


def report_data(source: ReportSource, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the report prints, as strings; the charts are added by the caller."""
    computation = source.computation
    campaign = computation.campaign
    instrument = source.instrument
    today = today or timezone.localdate()
    with translation.override("vi"):
        province = source.province
        overall = overall_of(province)
        has_previous = source.has_previous
        factor_codes = [f.code for f in instrument.factors]
        factors = [
            _figure(f.label.vi, province.get(f"factor:{f.code}")) for f in instrument.factors
        ]
        n_units = len(source.unit_rows)
        n_enough = sum(
            1
            for rows in source.unit_rows.values()
            if (o := overall_of(rows)) is not None and o.enough
        )
        tables = []
        for table in source.published.tables:
            extremes = table.extremes()
            tables.append(
                {
                    "title": class_title(table.klass),
                    "ranked": [_ranked_row(u, has_previous) for u in table.ranked],
                    "unranked": [
                        {"unit": u.unit.name, "n": number_vn(u.overall.n)} for u in table.unranked
                    ],
                    "min": [n2(lo) for lo, _hi in extremes],
                    "max": [n2(hi) for _lo, hi in extremes],
                }
            )
        kinds = [
            {
                "kind": kind_label(kind),
                "overall": _figure(kind_label(kind), overall_of(rows)),
                "factors": [
                    n2(r.index) if (r := rows.get(f"factor:{c}")) else "–" for c in factor_codes
                ],
            }
            for kind, rows in sorted(source.kinds.items())
        ]
        items = [
            (q, r)
            for q in instrument.items()
            if (r := province.get(f"item:{q.code}")) is not None and r.index is not None
        ]
        lowest = sorted(items, key=lambda qr: qr[1].index or 0)[:LOWEST_ITEMS]
        number = settings.HAILONG_REPORT_NUMBER or "……"
        data: dict[str, Any] = {
            "words": words(),
            "motto": list(MOTTO),
            "issuer": settings.HAILONG_ISSUER,
            "issuer_unit": settings.HAILONG_ISSUER_UNIT,
            "number": f"{_('No.:')} {number}/BC-SNV",
            "date": date_words(today),
            "title": _("Results of the survey of satisfaction with public administrative services"),
            "subtitle": campaign.name,
            "has_answers": computation.n_answers > 0
            and overall is not None
            and overall.index is not None,
            "summary": _summary(computation, overall, n_units, n_enough, has_previous),
            "method": _method(computation, instrument),
            "has_previous": has_previous,
            "factor_names": [f.label.vi for f in instrument.factors],
            "factor_short": [c.upper() for c in factor_codes],
            "factors": factors,
            "kinds": kinds,
            "tables": tables,
            "asks_note": _(
                "Comments are not yet grouped into themes; these are the criteria with the "
                "lowest share of satisfied answers in the province, where people most want "
                "things to change."
            ),
            "asks": [
                {"label": q.text.vi, "index": n2(r.index), "interval": interval(r)}
                for q, r in lowest
            ],
            "annex": [unit_page(source, unit) for unit in source.units.values()],
            "digest": computation.digest[:12],
            "computed": date_vn(timezone.localtime(computation.computed_at)),
        }
    return data


def _summary(
    computation: Computation,
    overall: IndexRow | None,
    n_units: int,
    n_enough: int,
    has_previous: bool,
) -> list[str]:
    campaign = computation.campaign
    if overall is None or overall.index is None:
        return [_("This campaign has no answers yet: there are no figures to report.")]
    lines = [
        _(
            "The province's overall satisfaction index is %(index)s%% (interval %(low)s–"
            "%(high)s%% at %(confidence)s%% confidence), from %(n)s answers about %(units)s units."
        )
        % {
            "index": n2(overall.index),
            "low": n2(overall.low),
            "high": n2(overall.high),
            "confidence": number_vn(float(campaign.confidence) * 100),
            "n": number_vn(computation.n_answers),
            "units": number_vn(n_units),
        },
        _("%(enough)s units have at least %(min)s answers and are ranked; the others are not.")
        % {"enough": number_vn(n_enough), "min": number_vn(campaign.min_answers)},
    ]
    if overall.delta is not None:
        lines.append(
            _("Change since the previous year: %(delta)s points.")
            % {"delta": _delta(overall.delta, True)}
        )
    else:
        lines.append(_("There is no previous year to compare with."))
    return lines


def _method(computation: Computation, instrument: Instrument) -> list[str]:
    campaign = computation.campaign
    return [
        _(
            "Questionnaire: %(title)s, version %(version)s (%(items)s criteria in %(factors)s factors)."
        )
        % {
            "title": instrument.title.vi,
            "version": instrument.version,
            "items": len(instrument.items()),
            "factors": len(instrument.factors),
        },
        _("Collection from %(start)s to %(end)s; %(n)s valid answers.")
        % {
            "start": date_vn(campaign.period_start),
            "end": date_vn(campaign.period_end),
            "n": number_vn(computation.n_answers),
        },
        _(
            "Each criterion's index is the share of satisfied answers: the number of answers "
            "4 (satisfied) or 5 (very satisfied) divided by the number of valid answers, times 100. "
            "A factor's index is the mean of its criteria; the overall index is the mean of the "
            "factors."
        ),
        _(
            "Intervals: Wilson intervals for each criterion; linearized intervals, which take the "
            "clustering of answers within units into account, for factors and the overall index, "
            "widened where needed to a Wilson interval on their effective number of answers so "
            "that they never shrink to a point at 0 or 100."
        ),
        _(
            "A unit is ranked only with at least %(min)s answers; the rank range shows the ranks "
            "the unit could plausibly hold given its interval."
        )
        % {"min": number_vn(campaign.min_answers)},
    ]


def unit_page(source: ReportSource, unit: Unit) -> dict[str, Any]:
    """One unit's factors and criteria, with intervals, beside the province's."""
    rows = source.unit_rows.get(unit.pk, {})
    province = source.province
    overall = overall_of(rows)
    enough = bool(overall is not None and overall.enough and overall.index is not None)
    return {
        "unit": unit.name,
        "code": unit.code,
        "kind": kind_label(unit.kind),
        "enough": enough,
        "n": number_vn(overall.n if overall else 0),
        "overall": _figure(_("Overall index"), overall, overall_of(province)),
        "rank": str(overall.rank) if overall is not None and overall.rank is not None else "",
        "factors": [
            _figure(f.label.vi, rows.get(f"factor:{f.code}"), province.get(f"factor:{f.code}"))
            for f in source.instrument.factors
        ],
        "items": [
            _figure(q.text.vi, rows.get(f"item:{q.code}"), province.get(f"item:{q.code}"))
            for q in source.instrument.items()
        ],
    }
