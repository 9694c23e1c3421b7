"""`hailong comments FILE`: a coordinator checks how the lexicon reads their comments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HAILONG = str(Path(sys.executable).with_name("hailong"))


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAILONG_", "DJANGO_"))}
    # no database is needed: point at one that cannot be opened to prove it
    env["HAILONG_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    return subprocess.run(
        [HAILONG, "comments", *args], input=stdin, capture_output=True, text=True,
        env=env, timeout=120, check=False,
    )  # fmt: skip


def test_tags_evidence_and_masked_text(tmp_path: Path) -> None:
    path = tmp_path / "y-kien.txt"
    path.write_text(
        "Cán bộ không lịch sự, chị Nguyễn Thị Lan sđt 0912 345 678\n\nNên thêm ghế chờ\n",
        encoding="utf-8",
    )
    out = run([str(path)])
    assert out.returncode == 0, out.stderr
    assert "1: Cán bộ không lịch sự, chị [tên] sđt [số điện thoại]" in out.stdout
    assert "0912" not in out.stdout and "Lan" not in out.stdout
    assert "complaint  «không lịch sự»" in out.stdout
    assert "3: Nên thêm ghế chờ" in out.stdout
    assert "giọng điệu / tone: suggestion" in out.stdout
    assert "Tổng / total: F1 1, F3 1, complaint 1, suggestion 1" in out.stdout


def test_reads_standard_input_and_another_lexicon(tmp_path: Path) -> None:
    assert "praise" in run(["-"], stdin="Rất tốt\n").stdout
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("factors: [F1]\n", encoding="utf-8")
    out = run(["-", "--lexicon", str(bad)], stdin="Tốt\n")
    assert out.returncode != 0
    assert "Từ điển sai / bad lexicon" in out.stderr and "factors: expected exactly" in out.stderr


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    out = run([str(tmp_path / "khong-co.txt")])
    assert out.returncode != 0
    assert "Không đọc được tệp / cannot read" in out.stderr
