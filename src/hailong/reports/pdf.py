"""The official report and the one-page scorecards, typeset by typst with the Noto fonts.

Like the QR posters (``qrcodes/printables.py``), everything reaches typst as JSON in
``sys.inputs`` and is placed as text, never spliced into markup.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from hailong.core.charts import factors_chart, ranking_chart
from hailong.core.documents import pdf_compile
from hailong.results.models import Computation
from hailong.units.models import Unit

from .data import ReportSource, report_data, source_read, unit_page

TEMPLATES = Path(__file__).resolve().parent / "typst"
Progress = Callable[[int, str], None]
# units per ranking chart in the report: one part fills at most a page of A4 (an image taller
# than the page would be cut off)
RANKING_PART = 45


def _quiet(percent: int, message: str) -> None:
    return None


def report_pdf(computation: Computation, *, progress: Progress = _quiet) -> bytes:
    """The whole report: summary, method, results, rankings, charts, an annex page per unit."""
    progress(5, "reading")
    source = source_read(computation)
    progress(25, "formatting")
    data = report_data(source)
    progress(40, "charts")
    with translation.override("vi"):
        data["charts"] = _charts(source)
    progress(60, "typesetting")
    pdf = _compile("report.typ", data)
    progress(100, "done")
    return pdf


def scorecard_pdf(computation: Computation, unit: Unit) -> bytes:
    """One unit's page: its factors and criteria with intervals, beside the province's."""
    source = source_read(computation)
    data = report_data(source) | {"annex": []}
    with translation.override("vi"):
        data["page"] = unit_page(source, unit)
    return _compile("scorecard.typ", data)


def scorecards_zip(computation: Computation, *, progress: Progress = _quiet) -> bytes:
    """Every unit's scorecard in one ZIP, the figures read once for all of them."""
    progress(5, "reading")
    source = source_read(computation)
    data = report_data(source) | {"annex": []}
    units = sorted(source.units.values(), key=lambda u: u.code)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if not units:
            archive.writestr(
                "KHONG-CO-DON-VI.txt",
                "Đợt khảo sát chưa có phiếu trả lời của cơ quan, đơn vị nào nên không có phiếu "
                "điểm.\nNo unit has answers in this campaign, so there is no scorecard.\n",
            )
        for done, unit in enumerate(units, start=1):
            with translation.override("vi"):
                page = unit_page(source, unit)
            name = f"{unit.code} {unit.name}".replace("/", "-").replace("\\", "-")
            archive.writestr(f"{name}.pdf", _compile("scorecard.typ", data | {"page": page}))
            progress(10 + 85 * done // len(units), "scorecards")
    progress(100, "done")
    return buffer.getvalue()


def _charts(source: ReportSource) -> dict[str, Any]:
    """Only figures that exist are drawn; an empty string means "no chart" to the template."""
    factors = [
        {"label": f.label.vi, "index": r.index, "low": r.low, "high": r.high}
        for f in source.instrument.factors
        if (r := source.province.get(f"factor:{f.code}")) is not None
        and r.index is not None
        and r.low is not None
        and r.high is not None
    ]
    charts: dict[str, Any] = {
        "factors": factors_chart(factors, title=_("Index (%)")) if factors else "",
        "ranking": [],
    }
    for table in source.published.tables:
        rows: list[dict[str, Any]] = [
            {"unit": u.unit.name, "index": o.index, "low": o.low, "high": o.high}
            for u in table.ranked
            if (o := u.overall).index is not None and o.low is not None and o.high is not None
        ]
        # a long ranking goes over several pages, in parts drawn on one scale
        low = min((r["low"] for r in rows), default=0.0)
        charts["ranking"].append(
            [
                ranking_chart(rows[start : start + RANKING_PART], title=_("Index (%)"), low=low)
                for start in range(0, len(rows), RANKING_PART)
            ]
        )
    return charts


def _compile(template: str, data: dict[str, Any]) -> bytes:
    return pdf_compile(TEMPLATES / template, data)
