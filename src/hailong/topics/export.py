"""The filtered comments as CSV (UTF-8 with BOM, for Excel) or XLSX: masked text only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter
from django.utils import timezone

from .models import Comment, Tone
from .selectors import FACTOR_LABELS

HEADER = (
    "Ngày trả lời / Date",
    "Mã đơn vị / Unit code",
    "Đơn vị / Unit",
    "Yếu tố / Factors",
    "Giọng điệu / Tone",
    "Ý kiến (đã che thông tin cá nhân) / Comment (personal data masked)",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _row(comment: Comment) -> list[str]:
    when = timezone.localtime(comment.submitted_at).strftime("%d/%m/%Y")
    factors = "; ".join(str(FACTOR_LABELS[f]) for f in comment.factors)
    return [
        when,
        comment.unit.code,
        comment.unit.name,
        factors,
        str(Tone(comment.tone).label),
        comment.text,
    ]


def _cell(value: str) -> str:
    """A spreadsheet must not run a comment as a formula: a leading quote keeps it text."""
    return "'" + value if value.startswith(_FORMULA) else value


def comments_csv(comments: Iterable[Comment]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for comment in comments:
        writer.writerow([_cell(v) for v in _row(comment)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def comments_xlsx(comments: Iterable[Comment]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False})
    sheet: Any = book.add_worksheet("Ý kiến")
    bold = book.add_format({"bold": True})
    for col, (name, width) in enumerate(zip(HEADER, (12, 12, 30, 30, 14, 80), strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, name, bold)
    for row, comment in enumerate(comments, start=1):
        for col, value in enumerate(_row(comment)):
            sheet.write_string(row, col, value)
    book.close()
    return out.getvalue()
