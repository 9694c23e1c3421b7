"""Typed readers for settings taken from the environment.

Each reader fails with ``ImproperlyConfigured`` and one sentence that says what to fix,
because a coordinator installing hailong should not have to read a traceback.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def get_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in TRUE:
        return True
    if raw.strip().lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use 1 or 0.")


def get_number(name: str, default: float, *, minimum: float = 0, whole: bool = True) -> Any:
    """An int (``whole``) or float from the environment, at least ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value: float | None = None
    # a decimal comma is read (2,5), a thousands one refused (1,800 is 1800 or 1.8?)
    if "," not in raw or ("." not in raw and not re.search(r",\d{3}\b", raw)):
        with contextlib.suppress(ValueError):
            value = int(raw) if whole else float(raw.replace(",", "."))
    if value is None:
        kind = ("số nguyên", "a whole number") if whole else ("số", "a number")
        raise ImproperlyConfigured(
            f"{name}={raw!r} không phải {kind[0]} / is not {kind[1]}: e.g. {name}={default}."
        )
    if not math.isfinite(value) or not value >= minimum:  # nan and inf too
        raise ImproperlyConfigured(
            f"{name}={raw!r} nhỏ hơn {minimum:g} / is below {minimum:g}: use {minimum:g} or more."
        )
    return value


def mail_backend() -> str:
    """EMAIL_BACKEND if set; else SMTP when EMAIL_HOST names a server, else files in var/mail/."""
    return os.environ.get("EMAIL_BACKEND") or (
        "django.core.mail.backends.smtp.EmailBackend"
        if os.environ.get("EMAIL_HOST")
        else "django.core.mail.backends.filebased.EmailBackend"
    )


def public_url(raw: str, *, mail_leaves: bool, name: str = "HAILONG_PUBLIC_URL") -> str:
    """HAILONG_PUBLIC_URL without its trailing slash: the scheme and host people are sent to.

    Printed QR codes and the links in e-mails carry it, so a value a phone cannot open is
    refused at start-up rather than found on a thousand posters; with an outgoing mail server
    (``mail_leaves``) it is required, or messages would carry links without a host. ``name``
    is what the messages call it (``--base-url`` of ``hailong qrcodes``).
    """
    url = raw.strip().rstrip("/")
    if not url:
        if mail_leaves:
            raise ImproperlyConfigured(
                "Thư được gửi đi qua SMTP: hãy đặt HAILONG_PUBLIC_URL để liên kết trong thư mở "
                "được / mail leaves this machine by SMTP (EMAIL_HOST or EMAIL_BACKEND): set "
                "HAILONG_PUBLIC_URL (e.g. https://hailong.thanhhoa.gov.vn) so their links open."
            )
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise ImproperlyConfigured(
            f"{name}={raw!r} thiếu giao thức hoặc tên máy / is not an address a "
            "phone can open: write the scheme and host, e.g. https://hailong.thanhhoa.gov.vn."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: chỉ ghi giao thức, tên máy và đường dẫn / give only "
            "the scheme, host and (if any) path, without ?, # or a user name."
        )
    return url


def get_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def var_dir() -> Path:
    """The folder for the SQLite file, the secret key and generated files; must be writable."""
    path = Path(os.environ.get("HAILONG_VAR_DIR", "var")).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        # a probe of its own: the server's workers start together and check at once
        with tempfile.TemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Cannot write to {path} ({exc.strerror}): make it writable or set HAILONG_VAR_DIR "
            "to a writable folder."
        ) from exc
    return path


def secret_key(var: Path) -> str:
    """HAILONG_SECRET_KEY, or a key generated once into var/secret_key."""
    if os.environ.get("HAILONG_SECRET_KEY"):
        return os.environ["HAILONG_SECRET_KEY"]
    path = var / "secret_key"
    if not path.exists():
        # written whole beside it, then linked into place only if still absent: workers that
        # start together all read the one key, never a half-written or second one
        fd, draft = tempfile.mkstemp(dir=var, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            os.chmod(draft, 0o600)
            with contextlib.suppress(FileExistsError):  # another process was first: its key
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def database(url: str, var: Path) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgresql://user:pass@host:port/name`` into DATABASES['default']."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path)
        if parts.netloc or not raw_path or raw_path == "/":
            raise ImproperlyConfigured(
                f"HAILONG_DATABASE_URL={url!r} names no file: write sqlite:///var/hailong.sqlite3 "
                "(relative) or sqlite:////abs/path.sqlite3."
            )
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        path = path if path.is_absolute() else Path.cwd() / path
        if not path.parent.is_dir():
            raise ImproperlyConfigured(
                f"HAILONG_DATABASE_URL: the folder {path.parent} does not exist; create it or "
                "choose another path."
            )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": str(var / "test.sqlite3")},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                f"HAILONG_DATABASE_URL={url!r} names no database: add it after the host, "
                "e.g. postgresql://hailong@127.0.0.1:5432/hailong."
            )
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"HAILONG_DATABASE_URL: the port in {url!r} is not a number."
            ) from exc
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"HAILONG_DATABASE_URL={url!r}: scheme {scheme or '(none)'!r} is not supported; use "
        "sqlite:///var/hailong.sqlite3 or postgresql://user@host:5432/name."
    )
