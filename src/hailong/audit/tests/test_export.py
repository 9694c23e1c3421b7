"""Exports: the JSON Lines file is checked by the script printed in docs/audit.md."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from hailong.audit.models import AuditEntry
from hailong.audit.services import audit_record

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[4] / "docs" / "audit.md"


def outsider(tmp_path: Path, lines: str) -> subprocess.CompletedProcess[str]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```python\n") + len("```python\n")
    script = tmp_path / "verify.py"
    script.write_text(text[start : text.index("```\n", start)], encoding="utf-8")
    exported = tmp_path / "log.jsonl"
    exported.write_text(lines, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), str(exported)], capture_output=True, text=True, check=False
    )


def export(*args: str) -> str:
    out = StringIO()
    call_command("audit", "export", *args, stdout=out)
    return out.getvalue()


def test_the_documented_script_verifies_an_export_and_catches_a_change(tmp_path: Path) -> None:
    for i in range(5):
        audit_record(action="quota.change", reason=f"Điều chỉnh “{i}”", data={"ô": [i, 1.5]})
    lines = export("--format", "jsonl")
    assert len(lines.splitlines()) == 5
    good = outsider(tmp_path, lines)
    assert good.returncode == 0, good.stderr
    assert AuditEntry.objects.get(seq=5).hash in good.stdout
    forged = lines.replace("Điều chỉnh “3”", "Điều chỉnh “9”")
    assert "BROKEN at entry #4" in outsider(tmp_path, forged).stderr
    dropped = "".join(line for n, line in enumerate(lines.splitlines(True)) if n != 2)
    assert "entry #3 is missing" in outsider(tmp_path, dropped).stderr


def test_csv_export_and_since(tmp_path: Path) -> None:
    audit_record(action="campaign.open", reason="mở, đợt 1")
    text = export("--format", "csv", "--since", "01/03/2026")
    header, row = text.splitlines()
    assert header.startswith("seq,at,actor_id,actor_label,action")
    assert '"mở, đợt 1"' in row
    tomorrow = timezone.localdate() + dt.timedelta(days=1)  # the province's day, not UTC's
    assert export("--format", "jsonl", "--since", str(tomorrow)) == ""
    assert json.loads(export("--format", "jsonl"))["action"] == "campaign.open"
