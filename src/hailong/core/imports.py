"""Reading tabular files for import: every bad cell is reported with file, row and column.

An import either takes every row or none: callers collect all problems first and raise
:class:`ImportRejected` before writing anything.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row) of an import file."""

    row: int
    column: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        if self.row == 0:  # the file as a whole (unreadable, empty): no row to point at
            where = "tệp/file" + (f", cột/column '{self.column}'" if self.column else "")
        else:
            where = f"dòng/row {self.row}" + (
                f", cột/column '{self.column}'" if self.column else ""
            )
        return f"{where}: {self.message_vi} / {self.message_en}"


class ImportRejected(Exception):
    """The file was refused as a whole; nothing from it was imported."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {p}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(
                f"… và {len(problems) - 50} lỗi khác / and {len(problems) - 50} more problems"
            )
        super().__init__(
            "Không nhập gì từ tệp này / Nothing was imported from this file:\n" + "\n".join(lines)
        )


def read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Read a CSV (UTF-8, optional BOM), XLSX (first sheet) or YAML list file into (row number, mapping) pairs.

    Row numbers are those a person sees: the CSV or XLSX header is row 1, so data start at 2;
    YAML entries are numbered from 1. XLSX cells keep their types (a date cell is a date).
    """
    source = str(path)
    if path.suffix.lower() == ".xlsx":
        return _checked(source, *_xlsx_rows(path), required)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ImportRejected(
            source, [Problem(0, "", "không tìm thấy tệp", "file not found")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            source, [Problem(0, "", "tệp không phải UTF-8", "the file is not UTF-8 text")]
        ) from exc
    rows: list[tuple[int, dict[str, Any]]]
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ImportRejected(
                source, [Problem(0, "", f"YAML lỗi: {exc}", f"bad YAML: {exc}")]
            ) from exc
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise ImportRejected(
                source,
                [
                    Problem(
                        0,
                        "",
                        "tệp phải là một danh sách các mục",
                        "the file must be a list of entries",
                    )
                ],
            )
        rows = [(i, {str(k): v for k, v in entry.items()}) for i, entry in enumerate(data, start=1)]
        present = set().union(*(r.keys() for _, r in rows)) if rows else set()
    else:
        reader = csv.DictReader(io.StringIO(text))
        present = set(reader.fieldnames or [])
        rows = [(i, dict(r)) for i, r in enumerate(reader, start=2)]
    return _checked(source, rows, present, required)


def _checked(
    source: str,
    rows: list[tuple[int, dict[str, Any]]],
    present: set[str],
    required: tuple[str, ...],
) -> list[tuple[int, dict[str, Any]]]:
    missing = [c for c in required if c not in present]
    if missing:
        raise ImportRejected(
            source,
            [Problem(1, c, "thiếu cột bắt buộc", "a required column is missing") for c in missing],
        )
    if not rows:
        raise ImportRejected(
            source, [Problem(0, "", "tệp không có dòng dữ liệu", "the file has no data row")]
        )
    return rows


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    """The first sheet of a workbook: row 1 names the columns; dates stay dates."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise ImportRejected(
            str(path), [Problem(0, "", "không tìm thấy tệp", "file not found")]
        ) from exc
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise ImportRejected(
            str(path), [Problem(0, "", "tệp không phải XLSX đọc được", "not a readable XLSX file")]
        ) from exc
    try:
        values = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [text(h) for h in values[0]] if values else []
    rows = [
        (n, {h: v for h, v in zip(header, row, strict=False) if h})
        for n, row in enumerate(values[1:], start=2)
        if any(v is not None and text(v) for v in row)
    ]
    return rows, {h for h in header if h}


def text(value: Any) -> str:
    """A cell as stripped text; None and blanks become ''."""
    if value is None:
        return ""
    return str(value).strip()
