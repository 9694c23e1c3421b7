"""The report, the scorecards and the workbook show the stored figures, formatted the Vietnamese way."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from hailong.campaigns.models import Campaign
from hailong.core.formats import number_vn
from hailong.reports.pdf import report_pdf, scorecard_pdf
from hailong.reports.workbook import par_xlsx, workbook_xlsx
from hailong.results.models import Computation, IndexRow
from hailong.results.services import campaign_compute

pytestmark = pytest.mark.django_db(transaction=True)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def same(got: object, stored: float | None) -> bool:
    """Equal to the stored value to 15 significant digits (what an Excel cell holds)."""
    if stored is None:
        return got is None
    return isinstance(got, int | float) and got == pytest.approx(stored, rel=1e-14)


def overall_rows(computation: Computation) -> list[IndexRow]:
    return list(
        computation.rows.filter(grouping="unit", level="overall")
        .select_related("unit")
        .order_by("unit__code")
    )


def test_the_report_has_the_national_header_and_the_stored_figures(
    computation: Computation, tmp_path: Path
) -> None:
    text = text_of(report_pdf(computation), tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH THANH HÓA" in text and "SỞ NỘI VỤ" in text and "/BC-SNV" in text
    province = computation.rows.get(grouping="province", level="overall")
    assert number_vn(province.index, 2) in text and "," in number_vn(province.index, 2)
    ranked = [r for r in overall_rows(computation) if r.rank is not None]
    for row in ranked[:: max(1, len(ranked) // 6)]:
        assert row.unit is not None
        # The ranking table's line: rank, name, the index rounded to 2 decimals with a comma.
        line = next(
            ln
            for ln in text.splitlines()
            if ln.strip().startswith(f"{row.rank} ") and row.unit.name[:8] in ln
        )
        assert number_vn(row.index, 2) in line
    assert "chưa đủ số phiếu" in text  # units under the minimum (campaign.min_answers = 15)
    assert "không có số liệu năm trước" in text  # this demo campaign has no previous year


def test_a_scorecard_is_one_page_with_the_units_figures(
    computation: Computation, tmp_path: Path
) -> None:
    row = next(r for r in overall_rows(computation) if r.rank is not None)
    assert row.unit is not None
    pdf = scorecard_pdf(computation, row.unit)
    text = text_of(pdf, tmp_path)
    assert row.unit.name in text and number_vn(row.index, 2) in text
    assert text.count("\f") == 1  # one page
    small = next(r for r in overall_rows(computation) if not r.enough)
    assert small.unit is not None
    text = text_of(scorecard_pdf(computation, small.unit), tmp_path)
    assert small.unit.name in text and "chưa đủ số phiếu" in text


def test_the_workbook_reads_back_to_the_stored_figures(computation: Computation) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(computation)), read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Xếp hạng", "Đơn vị", "Tiêu chí", "Điểm PAR", "Phiếu"]
    rows = overall_rows(computation)
    units = {r[0]: r for r in book["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    for row in rows:
        assert row.unit is not None
        got = units[row.unit.code]
        assert got[1] == row.unit.name and got[3] == row.n and same(got[5], row.index)
        assert got[8] == row.rank
    ranking = [r for r in book["Xếp hạng"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(ranking) == sum(r.rank is not None for r in rows)
    by_code = {r.unit.code: r for r in rows if r.unit is not None}
    assert all(same(r[4], by_code[r[2]].index) and r[1] == by_code[r[2]].rank for r in ranking)
    summary = next(iter(book["Tổng hợp"].iter_rows(min_row=4, max_row=4, values_only=True)))
    province = computation.rows.get(grouping="province", level="overall")
    assert same(summary[1], province.index) and same(summary[2], province.low)
    assert same(summary[3], province.high) and summary[4] == province.n
    answers = list(book["Phiếu"].iter_rows(values_only=True))
    assert len(answers) == 1 + computation.n_answers
    assert all(isinstance(v, int | float | type(None)) for row in answers[1:] for v in row[1:])
    items = [r for r in book["Tiêu chí"].iter_rows(min_row=2, values_only=True) if r[0] == ""]
    f3_1 = computation.rows.get(grouping="province", level="item", code="f3_1")
    assert any(r[3] == "f3_1" and same(r[5], f3_1.index) for r in items)


def test_the_workbook_has_native_charts_frozen_headers_and_filters(
    computation: Computation,
) -> None:
    data = workbook_xlsx(computation)
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) == 2
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert book["Đơn vị"]["F2"].number_format == "#,##0.00"


def test_the_par_table_gives_each_units_points(computation: Computation) -> None:
    book = openpyxl.load_workbook(io.BytesIO(par_xlsx(computation)), read_only=True)
    assert book.sheetnames == ["Điểm PAR"]
    got = {r[0]: r[4] for r in book["Điểm PAR"].iter_rows(min_row=2, values_only=True)}
    for row in overall_rows(computation):
        assert row.unit is not None
        expected = float(row.par_points) if row.par_points is not None else None
        assert same(got[row.unit.code], expected)


def test_a_campaign_without_answers_says_so_and_draws_no_chart(
    campaign: Campaign, tmp_path: Path
) -> None:
    computation = campaign_compute(campaign=campaign)
    text = text_of(report_pdf(computation), tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "chưa có câu trả lời" in text.lower()
    assert "Chỉ số (%)" not in text  # no axis title: no chart was drawn
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(computation)))
    assert (
        "chưa có câu trả lời"
        in " ".join(
            str(c.value) for row in book["Tổng hợp"].iter_rows() for c in row if c.value
        ).lower()
    )


def test_the_command_writes_each_format(computation: Computation, tmp_path: Path) -> None:
    code = computation.campaign.code
    for fmt, suffix, magic in (
        ("pdf", "pdf", b"%PDF"),
        ("xlsx", "xlsx", b"PK"),
        ("par", "xlsx", b"PK"),
    ):
        out = tmp_path / f"out-{fmt}.{suffix}"
        call_command("report", code, "--format", fmt, "-o", str(out))
        assert out.read_bytes().startswith(magic)
    unit = overall_rows(computation)[0].unit
    assert unit is not None
    out = tmp_path / "card.pdf"
    call_command("report", code, "--unit", unit.code, "-o", str(out))
    assert unit.name in text_of(out.read_bytes(), tmp_path)
