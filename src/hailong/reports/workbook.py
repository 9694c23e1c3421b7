"""The results workbook (XLSX) and the PAR Index points table, written with XlsxWriter.

Figures are stored as numbers — the computation's own values, unrounded — with a 2-decimal
format, so Excel shows them the reader's way (82,66 in a Vietnamese Excel) and they still
add up. The workbook is written in ``constant_memory`` mode (row by row, each sheet in
order), so a province's answers sheet never sits whole in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from hailong.collection.models import Response
from hailong.portal.results import class_title
from hailong.results.models import Computation, IndexRow

from .data import ReportSource, kind_label, overall_of, source_read

NUMBER = "#,##0.00"
WHOLE = "#,##0"


class _Sheet:
    """A worksheet written top to bottom, with a bold frozen header and an autofilter."""

    def __init__(self, book: Workbook, name: str, formats: dict[str, Any]) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.width = 0

    def title(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.formats["title"])
        self.row += 2

    def header(self, names: list[str], widths: list[int] | None = None) -> None:
        for col, name in enumerate(names):
            self.ws.write_string(self.row, col, name, self.formats["header"])
            self.ws.set_column(col, col, (widths or [])[col] if widths else 14)
        self.ws.freeze_panes(self.row + 1, 0)
        self.first = self.row
        self.width = len(names)
        self.row += 1

    def put(self, values: Iterable[Any], formats: Iterable[str | None] = ()) -> None:
        fmts = list(formats)
        for col, value in enumerate(values):
            name = fmts[col] if col < len(fmts) else None
            fmt = self.formats[name] if name else None
            if value is None:
                self.ws.write_blank(self.row, col, None, fmt)
            elif isinstance(value, bool):
                self.ws.write_string(self.row, col, _("yes") if value else _("no"))
            elif isinstance(value, int | float):
                self.ws.write_number(self.row, col, float(value), fmt)
            else:
                self.ws.write_string(self.row, col, str(value), fmt)
        self.row += 1

    def autofilter(self) -> None:
        if self.width:
            self.ws.autofilter(self.first, 0, max(self.first, self.row - 1), self.width - 1)


def _book(buffer: io.BytesIO) -> tuple[Workbook, dict[str, Any]]:
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "n": book.add_format({"num_format": NUMBER}),
        "i": book.add_format({"num_format": WHOLE}),
    }
    return book, formats


def workbook_xlsx(computation: Computation) -> bytes:
    """Summary, ranking, units, criteria, PAR points and anonymised answers, with charts."""
    source = source_read(computation)
    buffer = io.BytesIO()
    book, formats = _book(buffer)
    with translation.override("vi"):
        _summary(book, formats, source)
        _ranking(book, formats, source)
        _units(book, formats, source)
        _items(book, formats, source)
        _par(book, formats, source)
        _answers(book, formats, source)
    book.close()
    return buffer.getvalue()


def par_xlsx(computation: Computation) -> bytes:
    """The PAR Index points table alone."""
    source = source_read(computation)
    buffer = io.BytesIO()
    book, formats = _book(buffer)
    with translation.override("vi"):
        _par(book, formats, source)
    book.close()
    return buffer.getvalue()


FIGURE_HEADER = ("Index (%)", "Lower bound", "Upper bound", "Answers")


def _figure(row: IndexRow | None) -> list[Any]:
    if row is None:
        return [None, None, None, 0]
    return [row.index, row.low, row.high, row.n]


def _summary(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    computation = source.computation
    sheet = _Sheet(book, pgettext("sheet", "Summary"), formats)
    sheet.title(computation.campaign.name)
    overall = overall_of(source.province)
    sheet.header([_("Figure"), *[_(h) for h in FIGURE_HEADER]], [52, 14, 14, 14, 12])
    fmts = [None, "n", "n", "n", "i"]
    sheet.put([_("Overall index"), *_figure(overall)], fmts)
    first = sheet.row
    for factor in source.instrument.factors:
        sheet.put([factor.label.vi, *_figure(source.province.get(f"factor:{factor.code}"))], fmts)
    last = sheet.row - 1
    sheet.row += 1
    notes = [
        (_("Answers used"), computation.n_answers),
        (_("Units with answers"), len(source.unit_rows)),
        (_("Minimum answers for a unit to be ranked"), computation.campaign.min_answers),
    ]
    for label, value in notes:
        sheet.put([label, value], [None, "i"])
    sheet.put(
        [_("Computed at"), timezone.localtime(computation.computed_at).strftime("%d/%m/%Y %H:%M")]
    )
    sheet.put([_("Content hash"), computation.digest])
    if overall is None or overall.index is None:
        sheet.put([_("This campaign has no answers yet: there are no figures to report.")])
        return
    chart = book.add_chart({"type": "bar"})
    name = sheet.ws.get_name()
    chart.add_series(
        {
            "name": _("Index (%)"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 1, last, 1],
            "fill": {"color": "#A3121B"},
            "data_labels": {"value": True, "num_format": NUMBER},
        }
    )
    chart.set_title({"name": _("Index by factor (%)")})
    chart.set_x_axis({"min": 0, "max": 100, "num_format": WHOLE})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 320})
    sheet.ws.insert_chart(sheet.row + 1, 0, chart)


def _ranking(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    factors = [f.code.upper() for f in source.instrument.factors]
    sheet = _Sheet(book, pgettext("sheet", "Ranking"), formats)
    sheet.header(
        [
            _("Peer group"), _("Rank"), _("Code"), _("Unit"), _("Index (%)"), _("Lower bound"),
            _("Upper bound"), _("Best plausible rank"), _("Worst plausible rank"), _("Δ points"),
            _("Δ rank"), *factors, _("Answers"),
        ],
        [28, 7, 10, 36, 11, 11, 11, 11, 11, 11, 9, *[9] * len(factors), 10],
    )  # fmt: skip
    fmts = [None, "i", None, None, "n", "n", "n", "i", "i", "n", "i", *["n"] * len(factors), "i"]
    chart_rows: tuple[int, int] | None = None
    for table in source.published.tables:
        title = class_title(table.klass)
        start = sheet.row
        for u in table.ranked:
            o = u.overall
            sheet.put(
                [title, o.rank, u.unit.code, u.unit.name, o.index, o.low, o.high, o.rank_low,
                 o.rank_high, o.delta, u.delta_rank,
                 *[f.index if f is not None else None for f in u.factors], o.n],
                fmts,
            )  # fmt: skip
        if table.ranked and (
            chart_rows is None or len(table.ranked) > chart_rows[1] - chart_rows[0]
        ):
            chart_rows = (start, sheet.row - 1)
        for u in table.unranked:
            o = u.overall
            sheet.put(
                [title, None, u.unit.code, u.unit.name + " — " + _("too few answers"), o.index,
                 o.low, o.high, None, None, None, None,
                 *[f.index if f is not None else None for f in u.factors], o.n],
                fmts,
            )  # fmt: skip
    sheet.autofilter()
    if chart_rows is None:
        return
    chart = book.add_chart({"type": "bar"})
    name = sheet.ws.get_name()
    chart.add_series(
        {
            "name": _("Index (%)"),
            "categories": [name, chart_rows[0], 3, chart_rows[1], 3],
            "values": [name, chart_rows[0], 4, chart_rows[1], 4],
            "fill": {"color": "#A3121B"},
            "gap": 40,
        }
    )
    chart.set_title({"name": _("Ranking by satisfaction index (%)")})
    chart.set_x_axis({"min": 0, "max": 100, "num_format": WHOLE})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 7}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": max(320, 14 * (chart_rows[1] - chart_rows[0] + 1))})
    sheet.ws.insert_chart(0, len(fmts) + 1, chart)


def _units(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    factors = [f.code.upper() for f in source.instrument.factors]
    sheet = _Sheet(book, pgettext("sheet", "Units"), formats)
    sheet.header(
        [_("Code"), _("Unit"), _("Unit kind"), _("Answers"), _("Enough answers"), _("Index (%)"),
         _("Lower bound"), _("Upper bound"), _("Rank"), *factors],
        [10, 36, 22, 10, 10, 11, 11, 11, 8, *[9] * len(factors)],
    )  # fmt: skip
    fmts = [None, None, None, "i", None, "n", "n", "n", "i", *["n"] * len(factors)]
    for unit_id, unit in source.units.items():
        rows = source.unit_rows[unit_id]
        o = overall_of(rows)
        sheet.put(
            [unit.code, unit.name, kind_label(unit.kind), o.n if o else 0, bool(o and o.enough),
             *(_figure(o)[:3]), o.rank if o else None,
             *[r.index if (r := rows.get(f"factor:{f.code}")) else None for f in source.instrument.factors]],
            fmts,
        )  # fmt: skip
    sheet.autofilter()


def _items(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    sheet = _Sheet(book, pgettext("sheet", "Criteria"), formats)
    sheet.header(
        [_("Code"), _("Unit"), _("Factor"), _("Criterion code"), _("Criterion"), _("Index (%)"),
         _("Lower bound"), _("Upper bound"), _("Answers"), _("Mean score (1–5)")],
        [10, 36, 12, 12, 60, 11, 11, 11, 10, 11],
    )  # fmt: skip
    fmts = [None, None, None, None, None, "n", "n", "n", "i", "n"]
    items = source.instrument.items()
    groups: list[tuple[str, str, dict[str, IndexRow]]] = [("", _("Province"), source.province)]
    groups += [(u.code, u.name, source.unit_rows[pk]) for pk, u in source.units.items()]
    for code, name, rows in groups:
        for q in items:
            r = rows.get(f"item:{q.code}")
            sheet.put(
                [code, name, (q.factor or "").upper(), q.code, q.text.vi, *_figure(r),
                 r.mean_score if r else None],
                fmts,
            )  # fmt: skip
    sheet.autofilter()


def _par(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    sheet = _Sheet(book, pgettext("sheet", "PAR points"), formats)
    sheet.header(
        [_("Code"), _("Unit"), _("Unit kind"), _("Index (%)"), _("PAR Index points"), _("Grade"),
         _("Answers"), _("Enough answers")],
        [10, 36, 22, 11, 12, 8, 10, 10],
    )  # fmt: skip
    fmts = [None, None, None, "n", "n", None, "i", None]
    for unit_id, unit in source.units.items():
        o = overall_of(source.unit_rows[unit_id])
        if o is None:
            continue
        points = float(o.par_points) if o.par_points is not None else None
        sheet.put(
            [unit.code, unit.name, kind_label(unit.kind), o.index, points, o.grade, o.n, o.enough],
            fmts,
        )
    sheet.autofilter()


def _answers(book: Workbook, formats: dict[str, Any], source: ReportSource) -> None:
    """One row per answer: the unit kind and the coded criteria only — no text, no receipt,
    no unit, no respondent profile — so no one can be picked out."""
    codes = [q.code for q in source.instrument.items()]
    sheet = _Sheet(book, pgettext("sheet", "Answers"), formats)
    sheet.header([_("Unit kind"), *codes], [22, *[7] * len(codes)])
    answers = Response.objects.filter(
        campaign=source.computation.campaign,
        instrument=source.computation.instrument,
        review=Response.Review.ACCEPTED,
    ).values_list("unit__kind", "answers")
    labels: dict[str, str] = {}
    ws = sheet.ws
    for kind, given in answers.iterator(chunk_size=5000):
        label = labels.get(kind) or labels.setdefault(kind, kind_label(kind))
        ws.write_string(sheet.row, 0, label)
        for col, code in enumerate(codes, start=1):
            value = given.get(code)
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(sheet.row, col, value)
        sheet.row += 1
    sheet.autofilter()
