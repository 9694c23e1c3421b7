"""Configuration errors stop start-up with one sentence that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hailong.settings.env import (
    database,
    get_bool,
    get_number,
    mail_backend,
    public_url,
    secret_key,
    var_dir,
)


def test_sqlite_url_gives_wal_and_immediate_transactions(tmp_path: Path) -> None:
    db = database(f"sqlite:///{tmp_path}/h.sqlite3", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "h.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_url_is_split_into_its_parts(tmp_path: Path) -> None:
    db = database("postgresql://hl:p%40ss@db.example:5433/hailong?sslmode=require", tmp_path)
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "hl",
        "p@ss",
        "db.example",
        "5433",
        "hailong",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@localhost/x", "scheme 'mysql' is not supported"),
        ("postgresql://localhost", "names no database"),
        ("postgresql://h:port/x", "port"),
        ("sqlite://", "names no file"),
        ("sqlite:////no/such/folder/x.sqlite3", "does not exist"),
        ("hailong.sqlite3", "scheme '(none)'"),
    ],
)
def test_a_bad_database_url_is_explained(tmp_path: Path, url: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="HAILONG_DATABASE_URL") as caught:
        database(url, tmp_path)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unwritable_var_dir_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HAILONG_VAR_DIR", str(blocker / "var"))
    with pytest.raises(ImproperlyConfigured, match="HAILONG_VAR_DIR"):
        var_dir()


def test_the_secret_key_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HAILONG_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_yes_no_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X", "yes")
    assert get_bool("X") is True
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
        get_bool("X")


def test_numbers_are_read_and_a_bad_one_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X", raising=False)
    assert get_number("X", 30) == 30
    monkeypatch.setenv("X", " 45 ")
    assert get_number("X", 30) == 45
    monkeypatch.setenv("X", "2,5")  # the Vietnamese decimal comma
    assert get_number("X", 10, whole=False) == 2.5
    for raw, says in [("30 phút", "not a whole number: e.g. X=30"), ("2.5", "not a whole number"),
                      ("0", "below 1: use 1 or more")]:  # fmt: skip
        monkeypatch.setenv("X", raw)
        with pytest.raises(ImproperlyConfigured, match=f"X={raw!r}") as caught:
            get_number("X", 30, minimum=1)
        assert says in str(caught.value)
    for raw in ("nan", "inf", "-1", "abc", "1,800", "1.000,5", "0,125"):  # 1,800: 1800 or 1.8?
        monkeypatch.setenv("X", raw)
        with pytest.raises(ImproperlyConfigured):
            get_number("X", 10, whole=False)


def test_start_up_stops_on_a_bad_number_with_the_sentence(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HAILONG_VAR_DIR": str(tmp_path), "HAILONG_SUBMIT_BURST": "0"}
    run = subprocess.run(
        [sys.executable, "-c", "import hailong.settings.base"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "HAILONG_SUBMIT_BURST='0' nhỏ hơn 1 / is below 1: use 1 or more." in run.stderr


def test_the_public_address_is_one_a_phone_can_open() -> None:
    assert public_url(" https://hailong.thanhhoa.gov.vn/ ", mail_leaves=True) == (
        "https://hailong.thanhhoa.gov.vn"
    )
    assert public_url("http://10.0.0.5:8000/hailong", mail_leaves=False) == (
        "http://10.0.0.5:8000/hailong"
    )
    assert public_url("", mail_leaves=False) == ""
    with pytest.raises(ImproperlyConfigured, match="mail leaves this machine by SMTP"):
        public_url("", mail_leaves=True)  # mails would carry links without a host
    assert public_url("http://[::1]:8000", mail_leaves=False) == "http://[::1]:8000"
    for raw in ("hailong.thanhhoa.gov.vn", "ftp://hailong.vn", "https://", "https://h.vn/?a=1",
                "https://user:pw@h.vn", "https://h.vn/#top", "https://[::1", "https://h.vn:abc",
                "https://h.vn:99999", "https://h vn"):  # fmt: skip
        with pytest.raises(ImproperlyConfigured, match="HAILONG_PUBLIC_URL") as caught:
            public_url(raw, mail_leaves=False)
        assert "\n" not in str(caught.value)


def test_smtp_chosen_by_its_backend_also_needs_the_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    assert mail_backend() == "django.core.mail.backends.smtp.EmailBackend"  # a relay on localhost
    monkeypatch.delenv("EMAIL_BACKEND")
    assert mail_backend().endswith("filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "smtp.thanhhoa.gov.vn")
    assert mail_backend().endswith("smtp.EmailBackend")


@pytest.mark.parametrize(
    ("host", "backend"),
    [("", "django.core.mail.backends.filebased.EmailBackend"),
     ("smtp.thanhhoa.gov.vn", "django.core.mail.backends.smtp.EmailBackend")],
)  # fmt: skip
def test_without_a_mail_server_messages_are_kept_as_files(
    tmp_path: Path, host: str, backend: str
) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    env |= (
        {
            "HAILONG_VAR_DIR": str(tmp_path),
            "EMAIL_HOST": host,
            "HAILONG_PUBLIC_URL": "https://hailong.thanhhoa.gov.vn",
        }
        if host
        else {"HAILONG_VAR_DIR": str(tmp_path)}
    )
    got = subprocess.run(
        [sys.executable, "-c", "import hailong.settings.base as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert got == [backend, str(tmp_path / "mail")]


def test_workers_starting_together_share_one_var_folder_and_one_key(tmp_path: Path) -> None:
    """The server's workers start at once on a new var/: none fails its write check, and all
    read the one secret key (a second or half-written key would break every signed token)."""
    import os
    import subprocess
    import sys

    var = tmp_path / "var"
    code = (
        "from hailong.settings.env import secret_key, var_dir\n"
        "for _ in range(50): v = var_dir()\n"
        "print(secret_key(v))"
    )
    env = {**os.environ, "HAILONG_VAR_DIR": str(var)}
    env.pop("HAILONG_SECRET_KEY", None)
    workers = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]  # fmt: skip
    outputs = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    keys = {out.strip() for out, _ in outputs}
    assert len(keys) == 1 and len(keys.pop()) > 40
    assert sorted(p.name for p in var.iterdir()) == ["secret_key"]  # no probe or draft left


def test_former_secret_keys_are_read_from_the_environment(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HAILONG_VAR_DIR": str(tmp_path),
           "HAILONG_SECRET_KEY_FALLBACKS": "old-key-2025, older-key-2024"}  # fmt: skip
    got = subprocess.run(
        [sys.executable, "-c", "import hailong.settings.base as s; print(s.SECRET_KEY_FALLBACKS)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert got == "['old-key-2025', 'older-key-2024']"
