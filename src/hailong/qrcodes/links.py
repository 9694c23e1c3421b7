"""Signed short links that open the survey form with the unit (and procedure, desk) chosen.

A token is ``payload + mac`` spelled in Crockford's base 32 (``core/crockford.py``):

- payload: one header byte (high nibble: format version 1; bit 0: a procedure follows;
  bit 1: a desk follows), then the primary keys of the unit, the procedure and the desk as
  unsigned LEB128 varints (one byte below 128, two below 16,384, three below 2 million);
- mac: the first 8 bytes of HMAC-SHA256 of the payload, under a key derived from
  ``SECRET_KEY`` for this purpose only (``salted_hmac``), so nobody can point a code at a
  unit or procedure of their choice.

A token is 16–29 symbols (keys below 2 million). Base 32 because a person types the address
printed under the code when the camera fails: any case, O/I/L for 0/1/1, and the spaces and
dashes of the printed groups are read the same. The base64url tokens of the first posters
(the same signed bytes) are still read (:func:`link_read`).

Printed codes live for years: keep ``HAILONG_SECRET_KEY`` stable; when it must change, put
the old key in ``SECRET_KEY_FALLBACKS`` and the old posters keep working.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hailong.core.crockford import bytes_decode, bytes_encode, grouped
from hailong.core.formats import date_vn
from hailong.units.models import Desk, Service, Unit

PURPOSE = "hailong.qrcodes.link"
VERSION = 1
MAC_BYTES = 8
HAS_SERVICE, HAS_DESK = 0b01, 0b10
FORM_PATH = "/khao-sat/"  # the public survey form; it reads the token from ?lien=
TOKEN_MAX = 64  # longer than any token (29 symbols): refused before any decoding work


class BadLink(Exception):
    """A token that cannot be used; ``vi`` and ``en`` say why, for the person who scanned it."""

    def __init__(self, message: Promise, params: dict[str, str] | None = None) -> None:
        with translation.override("vi"):
            self.vi = str(message) % params if params else str(message)
        with translation.override("en"):
            self.en = str(message) % params if params else str(message)
        super().__init__(f"{self.vi} / {self.en}")


DAMAGED = _(
    "This QR code is damaged, incomplete or was not issued by this survey: "
    "scan it again or type the address printed under it."
)
GONE = _("This QR code is no longer valid: the unit, procedure or desk has changed.")
RETIRED = _(
    "This QR code is for %(unit)s, which no longer exists: it was merged or split, and its "
    "last day was %(day)s. Please choose the unit that now handles your file on the survey page."
)


@dataclass(frozen=True)
class LinkTarget:
    unit: Unit
    service: Service | None = None
    desk: Desk | None = None


def link_make(*, unit: Unit, service: Service | None = None, desk: Desk | None = None) -> str:
    """The path ``/q/<token>`` of a link to the survey form for this unit (procedure, desk)."""
    return f"/q/{token_make(unit=unit, service=service, desk=desk)}"


def token_make(*, unit: Unit, service: Service | None = None, desk: Desk | None = None) -> str:
    if desk is not None and desk.unit_id != unit.pk:
        raise ValueError(f"desk {desk.code} belongs to another unit than {unit.code}")
    flags = (HAS_SERVICE if service else 0) | (HAS_DESK if desk else 0)
    payload = bytes([VERSION << 4 | flags]) + _varint(unit.pk)
    if service is not None:
        payload += _varint(service.pk)
    if desk is not None:
        payload += _varint(desk.pk)
    return bytes_encode(payload + _mac(payload, settings.SECRET_KEY))


def path_printed(path: str) -> str:
    """``/q/7KQ3-M9XD-…``: the path as printed for a person to type, in groups of four."""
    return "/q/" + grouped(path.removeprefix("/q/"))


def link_read(token: str) -> LinkTarget:
    """The unit, procedure and desk a token names; ``BadLink`` if it is damaged, forged or stale."""
    unit_pk, service_pk, desk_pk = _decode(token)
    today = timezone.localdate()
    unit = Unit.objects.filter(pk=unit_pk).first()
    if unit is not None and unit.valid_to is not None and unit.valid_to < today:
        raise BadLink(RETIRED, {"unit": unit.name, "day": date_vn(unit.valid_to)})
    if unit is None or not _current(unit, today):
        raise BadLink(GONE)
    service = None
    if service_pk is not None:
        service = unit.services.filter(pk=service_pk).first()
        if service is None:
            raise BadLink(GONE)
    desk = None
    if desk_pk is not None:
        desk = unit.desks.filter(pk=desk_pk, active=True).first()
        if desk is None:
            raise BadLink(GONE)
    return LinkTarget(unit=unit, service=service, desk=desk)


def _decode(token: str) -> tuple[int, int | None, int | None]:
    # The MAC tells the two spellings apart: bytes read in the wrong one never verify.
    if len(token) > TOKEN_MAX:
        raise BadLink(DAMAGED)
    payload = _signed(bytes_decode(token)) or _signed(_from_base64url(token))
    if payload is None:
        raise BadLink(DAMAGED)  # truncated, mistyped or forged: the person cannot tell apart
    flags, position = payload[0], 1
    numbers: list[int] = []
    while position < len(payload):
        number, position = _read_varint(payload, position)
        numbers.append(number)
    expected = 1 + bool(flags & HAS_SERVICE) + bool(flags & HAS_DESK)
    if len(numbers) != expected:
        raise BadLink(DAMAGED)
    unit_pk = numbers.pop(0)
    service_pk = numbers.pop(0) if flags & HAS_SERVICE else None
    desk_pk = numbers.pop(0) if flags & HAS_DESK else None
    return unit_pk, service_pk, desk_pk


def _signed(raw: bytes | None) -> bytes | None:
    """The payload of ``raw`` if its MAC verifies under the key or an old one, else None."""
    if raw is None:
        return None
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if len(payload) < 2 or payload[0] >> 4 != VERSION or payload[0] & 0x0C:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(mac, _mac(payload, key)) for key in keys):
        return None
    return payload


def _from_base64url(token: str) -> bytes | None:
    """The first posters' spelling (base64url, no padding): exactly one spelling per token."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        return None  # stray padding bits or characters
    return raw


def _current(unit: Unit, today: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= today) and (
        unit.valid_to is None or unit.valid_to >= today
    )


def _mac(payload: bytes, key: str) -> bytes:
    return salted_hmac(PURPOSE, payload, secret=key, algorithm="sha256").digest()[:MAC_BYTES]


def _varint(number: int) -> bytes:
    if number < 0:
        raise ValueError("primary keys are positive")
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    number = shift = 0
    while position < len(data) and shift <= 56:
        byte = data[position]
        position += 1
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, position
        shift += 7
    raise BadLink(DAMAGED)
