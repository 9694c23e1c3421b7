"""One writer per format; each takes columns and a stream of rows and writes one file.

CSV is UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly); XLSX is written
with ``constant_memory`` (one row in memory at a time); Parquet in row groups of
``BATCH`` rows; JSON Lines one object per line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from .columns import Column

BATCH = 50_000
ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([_text(v) for v in row])


def write_xlsx(
    path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, sheet: str
) -> None:
    """One sheet with Vietnamese headers, frozen and filterable.

    Numbers keep every digit but show two decimals with the reader's own separators (a
    Vietnamese Excel shows 85,17), whole numbers none; names and labels get wide columns.
    """
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        shown = {
            "number": book.add_format({"num_format": "#,##0.00"}),
            "integer": book.add_format({"num_format": "#,##0"}),
        }
        ws = book.add_worksheet(sheet[:31])
        for j, c in enumerate(columns):
            ws.write_string(0, j, c.vi, bold)
            wide = c.name in ("unit_name", "label") or c.name.startswith("y_kien")
            ws.set_column(j, j, 40 if wide else 14, shown.get(c.type))
        ws.freeze_panes(1, 0)
        last = 0
        for i, row in enumerate(rows, start=1):
            last = i
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))
        ws.autofilter(0, 0, last, max(len(columns) - 1, 0))
    finally:
        book.close()


def _coerce(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "integer":
        return int(value)
    if column.type == "number":
        return float(value)
    if column.type == "string":
        return str(value)
    return value


def write_parquet(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
    schema = pa.schema([pa.field(c.name, ARROW[c.type]) for c in columns])
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        batch: list[list[Any]] = [[] for _ in columns]

        def flush() -> None:
            arrays = [
                pa.array(values, type=ARROW[c.type])
                for c, values in zip(columns, batch, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            for values in batch:
                values.clear()

        count = 0
        for count, row in enumerate(rows, start=1):
            for values, column, value in zip(batch, columns, row, strict=True):
                values.append(_coerce(column, value))
            if count % BATCH == 0:
                flush()
        if count == 0:
            writer.write_table(schema.empty_table())
        elif count % BATCH:
            flush()


def write_jsonl(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
    names = [c.name for c in columns]
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
            out.write("\n")


def write_json_document(
    out: BinaryIO,
    metadata: dict[str, Any],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
) -> None:
    """``{"metadata": ..., "columns": [...], "rows": [{...}, ...]}`` written row by row."""
    names = [c.name for c in columns]
    head = json.dumps(
        {"metadata": metadata, "columns": [c.as_dict() for c in columns]}, ensure_ascii=False
    )
    out.write(head[:-1].encode() + b', "rows": [')
    for i, row in enumerate(rows):
        if i:
            out.write(b",\n")
        out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False).encode())
    out.write(b"]}\n")
