"""Any table downloads as CSV and XLSX that read back to the same cells, numbers as numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hailong.dashboards.figures import Table
from hailong.dashboards.views import _download

label = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and not s.startswith(("=", "+", "-", "@")))
number = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.integers(min_value=0, max_value=10**6),
)
rows = st.lists(
    st.tuples(label, number, number, st.sampled_from(["", "chưa đủ phiếu"])), max_size=12
)


def table_of(lines: list[tuple[str, float | int | None, float | int | None, str]]) -> Table:
    return Table(
        key="thu",
        caption="Thử",
        columns=["Đơn vị", "Chỉ số (%)", "Phiếu trả lời"],
        rows=[[a, b, c] for a, b, c, _ in lines],
        marks=[m for *_, m in lines],
    )


@settings(max_examples=25, deadline=None)
@given(rows)
def test_csv_and_xlsx_read_back_to_the_same_cells(
    lines: list[tuple[str, float | int | None, float | int | None, str]],
) -> None:
    table = table_of(lines)
    text = _download(table, "x", "csv").content.decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["Đơn vị", "Chỉ số (%)", "Phiếu trả lời", "Ghi chú"]
    for got, (a, b, c, m) in zip(read[1:], lines, strict=True):
        assert got[0] == a and got[3] == m
        for cell, value in ((got[1], b), (got[2], c)):
            assert (float(cell) if cell else None) == value

    book = openpyxl.load_workbook(io.BytesIO(_download(table, "x", "xlsx").content))
    sheet = book.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == ["Đơn vị", "Chỉ số (%)", "Phiếu trả lời", "Ghi chú"]
    for got, (a, b, c, m) in zip(values[1:], lines, strict=True):
        assert got[0] == a and (got[3] or "") == m
        for cell, value in ((got[1], b), (got[2], c)):  # Excel keeps 15 significant digits
            assert cell == (None if value is None else pytest.approx(value, rel=1e-14))
