"""The log as CSV or JSON Lines, streamed one entry at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .chain import FIELDS
from .models import AuditEntry
from .selectors import export_fields

COLUMNS = (*FIELDS, "hash")


def _csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def export_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """A header, then one row per entry; ``data`` is its canonical JSON text."""
    yield _csv_line(COLUMNS)
    for entry in entries:
        fields = export_fields(entry)
        fields["data"] = json.dumps(
            fields["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        yield _csv_line("" if fields[c] is None else fields[c] for c in COLUMNS)


def export_jsonl(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """One JSON object per line: exactly what was hashed, plus the hash (docs/audit.md)."""
    for entry in entries:
        yield json.dumps(export_fields(entry), sort_keys=True, ensure_ascii=False) + "\n"
