"""The Content-Disposition of every download, so Vietnamese file names survive (RFC 6266).

A name of plain ASCII goes as ``filename="…"`` alone. Any other name goes twice: as
``filename*=UTF-8''…`` (RFC 5987, which browsers prefer) and as an ASCII ``filename="…"`` without
diacritics for the clients that only read that one.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TypeVar
from urllib.parse import quote

from django.http.response import HttpResponseBase
from django.utils.text import slugify

from .text import strip_diacritics

Response = TypeVar("Response", bound=HttpResponseBase)

PLAIN = re.compile(r"[A-Za-z0-9._ ()+,-]+")


def content_disposition(filename: str) -> str:
    """``attachment`` with the file name, quoted so no header can be broken by it."""
    if PLAIN.fullmatch(filename):
        return f'attachment; filename="{filename}"'
    path = PurePosixPath(filename)
    suffix = path.suffix if PLAIN.fullmatch(path.suffix) else ""
    stem = filename[: len(filename) - len(suffix)]
    fallback = (slugify(strip_diacritics(stem)) or "tai-ve") + suffix
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(response: Response, filename: str) -> Response:
    """The response, saved by the browser under ``filename`` rather than shown."""
    response["Content-Disposition"] = content_disposition(filename)
    return response
