"""The `hailong` command as a person types it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HAILONG = str(Path(sys.executable).with_name("hailong"))


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HAILONG_", "DJANGO_"))}
    return subprocess.run(
        [HAILONG, *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands_in_plain_words() -> None:
    out = run(["--help"])
    assert out.returncode == 0
    for command in (
        "demo",
        "serve",
        "migrate",
        "createadmin",
        "compute",
        "publish",
        "plan",
        "xlsform",
        "import-odk",
        "import-units",
        "import-volumes",
        "qrcodes",
        "audit",
        "campaign",
        "comments",
    ):
        assert f"  {command}" in out.stdout
    assert "HAILONG_DATABASE_URL" in out.stdout


def test_a_bad_database_url_stops_start_up_with_one_line(tmp_path: Path) -> None:
    out = run(["migrate"], HAILONG_VAR_DIR=str(tmp_path), HAILONG_DATABASE_URL="mysql://x@y/z")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "HAILONG_DATABASE_URL" in out.stderr and "Traceback" not in out.stderr


def test_an_unreachable_postgres_stops_start_up_with_one_line(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    out = run(["migrate"], HAILONG_VAR_DIR=str(tmp_path), HAILONG_DATABASE_URL=url)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "cannot open the database" in out.stderr


def test_an_unwritable_var_folder_stops_start_up_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = run(["migrate"], HAILONG_VAR_DIR=str(blocker / "var"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "HAILONG_VAR_DIR" in out.stderr


def test_migrate_then_createadmin_prints_the_password_once(tmp_path: Path) -> None:
    env = {"HAILONG_VAR_DIR": str(tmp_path)}
    assert run(["migrate"], **env).returncode == 0
    assert (tmp_path / "hailong.sqlite3").exists()
    created = run(["createadmin", "boss"], **env)
    assert created.returncode == 0 and "boss" in created.stdout and "password" in created.stdout
    again = run(["createadmin", "boss"], **env)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_audit_verify_exits_1_and_names_the_broken_entry(tmp_path: Path) -> None:
    import sqlite3

    env = {"HAILONG_VAR_DIR": str(tmp_path)}
    assert run(["migrate"], **env).returncode == 0
    fine = run(["audit", "verify"], **env)
    assert fine.returncode == 0 and "OK: 0" in fine.stdout
    with sqlite3.connect(tmp_path / "hailong.sqlite3") as db:  # inserting is allowed; no hash fits
        db.execute(
            "INSERT INTO audit_auditentry (seq, at, actor_label, action, object_type, object_id,"
            " object_label, reason, data, prev_hash, hash) VALUES (1, '2026-03-01 00:00:00',"
            " 'x', 'forged', '', '', '', '', '{}', ?, ?)",
            ["0" * 64, "f" * 64],
        )
    broken = run(["audit", "verify"], **env)
    assert broken.returncode == 1
    assert "BROKEN at entry #1" in broken.stderr and "mã băm" in broken.stderr
