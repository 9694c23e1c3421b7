"""The answer-file template of a questionnaire: written as CSV or XLSX, and read back.

Row 1 holds the column codes (``ma_phieu``, ``ma_don_vi``, ``ma_tthc``, ``ngay``, then one
column per question code); row 2, starting with ``#``, repeats them in words for the person
filling it in and is skipped on reading, as is every row whose first cell starts with ``#``.
The XLSX template adds a "Hướng dẫn" sheet with every question's codes and drop-down lists of
the valid codes. Plain Python: no Django here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from hailong.core.imports import Problem
from hailong.measurement.instruments import Instrument, Question

from .answers import CODED, legend

SHEET_ID, UNIT, PROCEDURE, DATE = "ma_phieu", "ma_don_vi", "ma_tthc", "ngay"
FIXED = (SHEET_ID, UNIT, PROCEDURE, DATE)
FIXED_LABELS = {
    SHEET_ID: "Mã phiếu (không bắt buộc, nên có)",
    UNIT: "Mã đơn vị (bắt buộc)",
    PROCEDURE: "Mã thủ tục hành chính (không bắt buộc)",
    DATE: "Ngày trả lời DD/MM/YYYY (không bắt buộc)",
}
DATA_SHEET, GUIDE_SHEET = "Phiếu", "Hướng dẫn"
XLSX_ROWS = 2000  # rows given drop-down lists in the XLSX template


def template_columns(instrument: Instrument) -> list[str]:
    return [*FIXED, *(q.code for q in instrument.questions())]


def _question_label(q: Question) -> str:
    codes = legend(q)
    if q.scale.type in CODED:
        hint = "; ".join(f"{code} = {label}" for code, label in codes)
        if q.scale.type == "multi":
            hint += "; nhiều mã cách nhau bằng dấu cách"
    elif q.scale.type == "date":
        hint = "DD/MM/YYYY"
    elif q.scale.type == "number":
        hint = "số"
    else:
        hint = "chữ"
    required = " (bắt buộc)" if q.required else ""
    return f"{q.text.vi}{required} [{hint}]"


def template_labels(instrument: Instrument) -> list[str]:
    labels = [FIXED_LABELS[c] for c in FIXED] + [_question_label(q) for q in instrument.questions()]
    return ["# " + labels[0], *labels[1:]]


def template_csv(instrument: Instrument) -> bytes:
    """The CSV template: UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(template_columns(instrument))
    writer.writerow(template_labels(instrument))
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx(instrument: Instrument) -> bytes:
    """The XLSX template: the data sheet with drop-down lists, then the guide sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    note = book.add_format({"italic": True, "font_color": "#4a5360", "text_wrap": True})
    data = book.add_worksheet(DATA_SHEET)
    columns = template_columns(instrument)
    data.write_row(0, 0, columns, bold)
    data.write_row(1, 0, template_labels(instrument), note)
    data.freeze_panes(2, 2)
    data.set_column(0, len(columns) - 1, 14)
    text = book.add_format({"num_format": "@"})
    data.set_column(0, 2, 14, text)  # codes such as 1.001193 or 00001 stay text
    for c, q in enumerate(instrument.questions(), start=len(FIXED)):
        if q.scale.type in ("ordinal", "choice"):
            codes = [code for code, _ in legend(q)]
            data.data_validation(
                2,
                c,
                XLSX_ROWS + 1,
                c,
                {
                    "validate": "list",
                    "source": codes,
                    "input_title": q.code,
                    "input_message": ", ".join(codes)[:255],
                    "error_title": "Mã không hợp lệ",
                    "error_message": f"Chọn một trong: {', '.join(codes)}"[:255],
                },
            )
    guide = book.add_worksheet(GUIDE_SHEET)
    guide.write_row(0, 0, ["Cột", "Nội dung", "Mã hợp lệ", "Bắt buộc"], bold)
    row = 1
    for column in FIXED:
        guide.write_row(row, 0, [column, FIXED_LABELS[column], "", "có" if column == UNIT else ""])
        row += 1
    for q in instrument.questions():
        valid = "; ".join(f"{c} = {label}" for c, label in legend(q)) or q.scale.type
        guide.write_row(row, 0, [q.code, q.text.vi, valid, "có" if q.required else ""])
        row += 1
    guide.write(row + 1, 0, "Dòng bắt đầu bằng # được bỏ qua khi nhập.", note)
    guide.set_column(0, 0, 16)
    guide.set_column(1, 2, 60)
    book.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class FileRow:
    """One data row of an answer file: its spreadsheet row number and cells by column code."""

    row: int
    cells: dict[str, str]


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _grid(data: bytes) -> list[list[str]]:
    if is_xlsx(data):
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
            raise ValueError(str(exc)) from exc
        try:
            sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def template_read(instrument: Instrument, data: bytes) -> tuple[list[FileRow], list[Problem]]:
    """Read a filled template (CSV or XLSX); header problems are reported on row 1."""
    try:
        grid = _grid(data)
    except (UnicodeDecodeError, csv.Error, ValueError) as exc:
        return [], [Problem(0, "", f"không đọc được tệp: {exc}", f"the file cannot be read: {exc}")]
    if not grid or not any(grid[0]):
        return [], [Problem(1, "", "tệp không có dòng tiêu đề", "the file has no header row")]
    header = grid[0]
    known = set(template_columns(instrument))
    problems: list[Problem] = []
    seen: set[str] = set()
    for title in header:
        if title and title not in known:
            problems.append(
                Problem(
                    1,
                    title,
                    f"cột '{title}' không có trong mẫu của bộ câu hỏi {instrument.code}",
                    f"column '{title}' is not in the template of questionnaire {instrument.code}",
                )
            )
        elif title in seen:
            problems.append(Problem(1, title, "cột bị lặp lại", "the column is repeated"))
        seen.add(title)
    required = [UNIT, *(q.code for q in instrument.questions() if q.required)]
    for code in required:
        if code not in seen:
            problems.append(Problem(1, code, "thiếu cột bắt buộc", "a required column is missing"))
    rows: list[FileRow] = []
    for number, cells in enumerate(grid[1:], start=2):
        if not any(cells) or (cells and cells[0].startswith("#")):
            continue
        for c in range(len(header), len(cells)):
            if cells[c]:
                problems.append(
                    Problem(
                        number, f"#{c + 1}", "ô ngoài các cột có tên", "a cell beyond the header"
                    )
                )
        rows.append(
            FileRow(
                number, {t: cells[c] if c < len(cells) else "" for c, t in enumerate(header) if t}
            )
        )
    if not rows and not problems:
        problems.append(Problem(0, "", "tệp không có dòng dữ liệu", "the file has no data row"))
    return rows, problems
