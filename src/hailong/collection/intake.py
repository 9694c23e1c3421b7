"""The submission route: every channel's answers enter here, in front of Django.

``POST /gui-phieu/`` takes the public form's final post (form-encoded; a 303 to the thank-you
page), ``POST /api/v1/answers`` takes JSON from kiosks, offline replays and integrating
systems (201 with the receipt). Both run the same steps, cheapest first, so that a flood is
turned away before it costs anything:

1. rate limit per network address (HTTP 429), then the body size (413);
2. who vouches for the answer: a signed form token (web), or an API key (integrations);
3. campaign open, unit in its scope, procedure offered by the unit, channel open;
4. the answers against the questionnaire (422 with every problem, in Vietnamese and English);
5. integrity flags (honeypot, speed, straight-lining, near duplicates);
6. the writer: a reply only after the COMMIT that holds the answer.

Sync Django views under ASGI cost a thread hop each (docs/performance.md), so this route is a
plain ASGI callable; the rest of the site is Django.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import msgspec
from django.conf import settings

from .catalogue import CampaignEntry, CatalogueCache, unit_retired
from .filing import CHANNELS as _FILING_CHANNELS
from .filing import filing_channel
from .integrity import (
    RateLimiter,
    RecentAnswers,
    SaltBox,
    TokenRefused,
    answer_flags,
    client_hash,
    receipt_pass,
    token_read,
)
from .writer import Pending, Stored, Writer, answers_json, pending_new
from .writer_process import SocketWriter

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FORM_PATH = "/gui-phieu/"
API_PATH = "/api/v1/answers"
NOOP_PATH = "/bench/noop"  # bench/submit.py's baseline: same server, no checks, no writing
CHECKED_PATH = "/bench/checked"  # bench/submit.py: every check of the route, nothing written
PATHS = (
    (FORM_PATH, API_PATH, NOOP_PATH, CHECKED_PATH)
    if settings.HAILONG_BENCH_NOOP
    else (FORM_PATH, API_PATH)
)
MAX_BODY = 64 * 1024
_decoder = msgspec.json.Decoder()


class Refusal(Exception):
    """A request refused with an HTTP status and problems named in Vietnamese and English."""

    def __init__(self, status: int, problems: list[dict[str, str]]) -> None:
        super().__init__(problems[0]["en"] if problems else str(status))
        self.status = status
        self.problems = problems


def _problem(field: str, vi: str, en: str) -> dict[str, str]:
    return {"field": field, "vi": vi, "en": en}


def _refuse(status: int, field: str, vi: str, en: str) -> Refusal:
    return Refusal(status, [_problem(field, vi, en)])


class Intake:
    """The ASGI callable for the submission paths; one per process."""

    def __init__(self) -> None:
        # the server's one writer process under `hailong serve`; else a thread of this process
        self.writer: Writer | SocketWriter = (
            SocketWriter(settings.HAILONG_WRITER_SOCKET)
            if settings.HAILONG_WRITER_SOCKET
            else Writer()
        )
        self.catalogue = CatalogueCache()
        self.salts = SaltBox()
        self.recent = RecentAnswers()
        self.recent_checked = RecentAnswers()  # the checked-only bench route's own memory
        self.limiter = RateLimiter(
            per_minute=settings.HAILONG_SUBMIT_PER_MINUTE,
            burst=settings.HAILONG_SUBMIT_BURST,
            redis_url=settings.HAILONG_REDIS_URL,
        )
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.trusted_proxies = frozenset(settings.HAILONG_TRUSTED_PROXIES)
        self._day: tuple[float, float, dt.date] = (0.0, 0.0, dt.date.min)
        self._hashes: dict[str, str] = {}
        self._hash_salt = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_form = scope["path"] == FORM_PATH
        headers: dict[bytes, bytes] = dict(scope.get("headers", ()))  # read once per request
        if scope["path"] == NOOP_PATH:
            _decode(headers, await _read_body(headers, receive), False)
            await _send(send, 201, b'{"status":"noop"}', [(b"content-type", b"application/json")])
            return
        try:
            if scope["method"] != "POST":
                raise _refuse(
                    405,
                    "",
                    "chỉ nhận phương thức POST",
                    "only POST is accepted here",
                )
            address = self._address(scope, headers)
            if not await self.limiter.allow("a:" + address):
                raise _refuse(
                    429,
                    "",
                    "quá nhiều lượt gửi từ cùng một địa chỉ; xin thử lại sau ít phút",
                    "too many submissions from one address; try again in a few minutes",
                )
            body = await _read_body(headers, receive)
            fields, data = _decode(headers, body, is_form)
            if scope["path"] == CHECKED_PATH:
                await self._pending(headers, fields, data, address, False, self.recent_checked)
                await _send(
                    send, 201, b'{"status":"checked"}', [(b"content-type", b"application/json")]
                )
                return
            pending = await self._pending(headers, fields, data, address, is_form)
            try:
                stored = await self.writer.store(pending)
            except Exception:
                log.exception("the writer failed")
                raise _refuse(
                    503,
                    "",
                    "chưa lưu được câu trả lời; xin gửi lại sau ít phút (không bị tính hai lần)",
                    "the answer could not be stored; send it again in a few minutes "
                    "(it will not be counted twice)",
                ) from None
            await self._reply(send, stored, pending, is_form)
        except Refusal as refusal:
            await _send_refusal(send, refusal, is_form, headers)

    # -- steps ---------------------------------------------------------------------------

    def _address(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        client = scope.get("client") or ("", 0)
        address = str(client[0])
        forwarded = headers.get(b"x-forwarded-for")
        if address in self.trusted_proxies and forwarded:
            address = forwarded.decode("latin-1").split(",")[-1].strip()
        return address

    def _today(self, now: float) -> dt.date:
        """The local date at ``now``; the time zone is consulted once a day, not per answer."""
        start, end, day = self._day
        if start <= now < end:
            return day
        day = dt.datetime.fromtimestamp(now, self.tz).date()
        start = dt.datetime.combine(day, dt.time(0), self.tz).timestamp()
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), self.tz).timestamp()
        self._day = (start, end, day)
        return day

    async def _client_hash(self, address: str, now: float) -> str:
        today = self._today(now)
        salt = self.salts.current(today)
        if salt is None:
            salt = await asyncio.to_thread(_salt_closing, self.salts, today)
        # a kiosk or an office behind one address sends many answers: hash it once a day
        if salt is not self._hash_salt or len(self._hashes) > 10_000:
            self._hashes = {}
            self._hash_salt = salt
        hashed = self._hashes.get(address)
        if hashed is None:
            hashed = self._hashes[address] = client_hash(address, salt)
        return hashed

    async def _pending(
        self,
        headers: dict[bytes, bytes],
        fields: dict[str, list[str]] | None,
        data: dict[str, Any],
        address: str,
        is_form: bool,
        recent: RecentAnswers | None = None,
    ) -> Pending:
        catalogue = await self.catalogue.get()
        now = time.time()
        today = self._today(now)
        token_text = (fields or {}).get("_token", [""])[-1] if is_form else data.get("form_token")
        grant: KeyGrant | None = None
        invitation = ""
        desk_id = None
        fill_seconds: int | None = None
        if token_text:
            try:
                token = token_read(str(token_text), now=now)
            except TokenRefused as exc:
                raise _refuse(403, "form_token", exc.vi, exc.en) from None
            campaign = catalogue.campaigns.get(token.campaign_id)
            unit_id, service_id = token.unit_id, token.service_id
            key, invitation, desk_id = token.key, token.invitation, token.desk_id
            fill_seconds = token.elapsed(now)
            mode = token.mode
            source = _TOKEN_SOURCES.get(mode, "web")
            device = ""
        else:
            kiosk = _kiosk_secret(headers)
            grant = await (_kiosk(kiosk) if kiosk else _api_key(headers))
            campaign = catalogue.campaigns_by_code.get(str(data.get("campaign", "")))
            if grant.kiosk:
                unit_id, desk_id = grant.unit_id, grant.desk_id
            else:
                unit_id = catalogue.units_by_code.get(str(data.get("unit", "")), 0)
            service_code = data.get("service")
            service_id = None
            if service_code:
                service_id = catalogue.services_by_code.get(str(service_code))
                if service_id is None:
                    raise _refuse(
                        422,
                        "service",
                        f"không có thủ tục mã '{str(service_code)[:40]}'",
                        f"there is no procedure with code '{str(service_code)[:40]}'",
                    )
            key = _idempotency_key(headers, data)
            mode = "kiosk" if grant.kiosk else str(data.get("collection_mode") or "online")
            source = "kiosk" if grant.kiosk else "api"
            device = grant.device
            seconds = data.get("fill_seconds")
            fill_seconds = int(seconds) if isinstance(seconds, int) and seconds >= 0 else None
            if unit_id == 0:
                raise _refuse(
                    422,
                    "unit",
                    f"không có đơn vị mã '{str(data.get('unit', ''))[:40]}'",
                    f"there is no unit with code '{str(data.get('unit', ''))[:40]}'",
                )
        entry = _campaign_open(campaign, today, source, str(data.get("campaign", "")))
        if grant is not None and grant.units is not None and unit_id not in grant.units:
            raise _refuse(
                403,
                "unit",
                "khóa API này không được gửi câu trả lời cho đơn vị này",
                "this API key may not send answers for this unit",
            )
        ended = unit_retired(catalogue, unit_id, today)
        if ended is not None:
            unit = f"{catalogue.unit_names.get(unit_id, '')} ({catalogue.unit_codes.get(unit_id)})"
            raise _refuse(
                422,
                "unit",
                f"đơn vị {unit} không còn tồn tại: đã sáp nhập hoặc chia tách, hoạt động đến hết "
                f"ngày {ended:%d/%m/%Y}; hãy gửi câu trả lời cho đơn vị thay thế",
                f"the unit {unit} no longer exists: it was merged or split, its last day was "
                f"{ended:%d/%m/%Y}; send the answer for the unit that replaced it",
            )
        if unit_id not in entry.unit_ids:
            raise _refuse(
                422,
                "unit",
                "đơn vị này không thuộc đợt khảo sát",
                "this unit is not surveyed in this campaign",
            )
        if service_id is not None and unit_id not in catalogue.service_units.get(service_id, ()):
            raise _refuse(
                422,
                "service",
                "đơn vị này không giải quyết thủ tục đã chọn",
                "this unit does not handle the chosen procedure",
            )
        checker = entry.checker
        if is_form:
            typed, problems = checker.parse_fields(fields or {})
            checked = checker.check(typed, drop_hidden=True)
            unread = {p.question for p in problems}  # not also reported missing
            all_problems = [p.as_dict() for p in problems] + [
                p.as_dict() for p in checked.problems if p.question not in unread
            ]
        else:
            answers = data.get("answers")
            if not isinstance(answers, dict):
                raise _refuse(
                    422,
                    "answers",
                    "thiếu 'answers': một đối tượng mã câu hỏi → câu trả lời",
                    "'answers' is missing: an object of question code → answer",
                )
            checked = checker.check(answers)
            all_problems = [p.as_dict() for p in checked.problems]
        if all_problems:
            raise Refusal(422, all_problems)
        every = checked.answers
        if entry.profile_codes.isdisjoint(every):
            stored_answers, profile = every, {}
        else:
            stored_answers = {k: v for k, v in every.items() if k not in entry.profile_codes}
            profile = {k: v for k, v in every.items() if k in entry.profile_codes}
        items = [every[c] for c in entry.item_codes if c in every]
        encoded = answers_json(every)  # once, for the duplicate key and the fingerprint
        hashed = await self._client_hash(address, now)
        if not await self.limiter.allow("d:" + (device or hashed)):
            raise _refuse(
                429,
                "",
                "thiết bị này gửi quá nhiều; xin thử lại sau ít phút",
                "this device is sending too much; try again in a few minutes",
            )
        honeypot = bool(is_form and (fields or {}).get("website", [""])[-1].strip())
        duplicate = (recent or self.recent).seen_before(_duplicate_key(hashed, unit_id, encoded))
        flags = answer_flags(
            item_answers=items,
            answered=len(checked.answers) + len(checked.not_applicable),
            fill_seconds=fill_seconds,
            honeypot=honeypot,
            duplicate=duplicate,
        )
        return pending_new(
            key=key,
            campaign_id=entry.id,
            instrument_id=entry.instrument_id,
            unit_id=unit_id,
            service_id=service_id,
            year=entry.year,
            source=source,
            collection_mode=mode if mode in _MODES else "online",
            submitted_at=_submitted_at(data, now),
            answers=stored_answers,
            profile=profile,
            flags=flags,
            filing_channel=filing_channel(_choice(data.get("filing_channel"), _FILING), profile),
            result_date=_date(data.get("result_date")),
            invitation=invitation,
            desk_id=desk_id,
            client_hash=hashed,
            device=device,
            fill_seconds=fill_seconds,
            sorted_json=encoded,
        )

    async def _reply(self, send: Send, stored: Stored, pending: Pending, is_form: bool) -> None:
        if stored.outcome == "conflict":
            raise _refuse(
                409,
                "idempotency_key",
                "mã chống gửi trùng này đã được dùng cho một câu trả lời khác",
                "this idempotency key was already used for a different answer",
            )
        if stored.outcome == "code_used":
            raise _refuse(
                409,
                "invitation",
                "mã mời này đã được dùng để đánh giá",
                "this invitation code has already been used",
            )
        if is_form:
            await _send(
                send,
                303,
                b"",
                [(b"location", _thanks_location(stored.receipt).encode())],
            )
            return
        body = msgspec.json.encode(
            {
                "receipt": stored.receipt,
                "status": "replay" if stored.outcome == "replay" else "stored",
                "review": "flagged" if pending.flagged else "accepted",
            }
        )
        await _send(
            send,
            201,
            body,
            [(b"content-type", b"application/json")]
            + ([(b"idempotent-replayed", b"true")] if stored.outcome == "replay" else []),
        )


_FORM_EXTRAS = ("filing_channel", "result_date")
_TOKEN_SOURCES = {"desk_qr": "qr", "kiosk": "kiosk", "online": "web"}
KIOSK_COOKIE = "hailong_kiosk"
_MODES = frozenset({"online", "desk_qr", "kiosk", "paper", "interview", "phone"})
_FILING = frozenset(_FILING_CHANNELS)


def _thanks_location(receipt: str) -> str:
    return f"/cam-on/{quote(receipt)}/?p={receipt_pass(receipt)}"


def _duplicate_key(hashed: str, unit_id: int, encoded: bytes) -> str:
    """The same answers (:func:`answers_json`) from one address to one unit: the same key."""
    return hashed + str(unit_id) + hashlib.blake2b(encoded, digest_size=16).hexdigest()


def _choice(value: Any, allowed: frozenset[str]) -> str:
    if value is None or value == "":
        return ""
    if value not in allowed:
        raise _refuse(
            422,
            "filing_channel",
            f"'{str(value)[:40]}' không phải cách nộp hồ sơ hợp lệ",
            f"'{str(value)[:40]}' is not a valid filing channel",
        )
    return str(value)


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _refuse(
            422,
            "result_date",
            "ngày nhận kết quả phải có dạng YYYY-MM-DD",
            "the result date must be written YYYY-MM-DD",
        ) from None


def _submitted_at(data: dict[str, Any], now: float) -> dt.datetime:
    """When the person answered: an offline replay says so, never in the future."""
    received = dt.datetime.fromtimestamp(now, dt.UTC)
    raw = data.get("submitted_at")
    if not raw:
        return received
    try:
        moment = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise _refuse(
            422,
            "submitted_at",
            "thời điểm trả lời phải theo ISO 8601, ví dụ 2026-11-27T09:30:00+07:00",
            "the answer time must be ISO 8601, e.g. 2026-11-27T09:30:00+07:00",
        ) from None
    if moment.tzinfo is None:
        raise _refuse(
            422,
            "submitted_at",
            "thời điểm trả lời phải ghi múi giờ, ví dụ +07:00",
            "the answer time must carry its time zone, e.g. +07:00",
        )
    return min(moment.astimezone(dt.UTC), received)


def _idempotency_key(headers: dict[bytes, bytes], data: dict[str, Any]) -> str:
    key = headers.get(b"idempotency-key", b"").decode("latin-1") or str(
        data.get("idempotency_key") or ""
    )
    key = key.strip()
    if not 8 <= len(key) <= 64 or not key.isascii() or not key.isprintable():
        raise _refuse(
            422,
            "idempotency_key",
            "cần mã chống gửi trùng (Idempotency-Key) dài 8–64 ký tự ASCII",
            "an Idempotency-Key of 8–64 ASCII characters is required",
        )
    return "api-" + key


@dataclass(frozen=True)
class KeyGrant:
    """What a checked API key (or kiosk) may do: its name for the record, its units (None: all).

    A kiosk answers for its own unit and desk only, whatever the body says.
    """

    device: str
    units: frozenset[int] | None
    checked_at: float
    kiosk: bool = False
    unit_id: int = 0
    desk_id: int | None = None


KEY_TTL = 30.0  # a key disabled in the back office is refused everywhere within this time
_grants: dict[str, KeyGrant] = {}


def _grant(raw: str) -> KeyGrant:
    """Check the key in the database (in a worker thread); its units read once."""
    from django.db import close_old_connections, connection

    from hailong.integrations.selectors import api_key_check

    close_old_connections()
    try:
        key = api_key_check(raw, scope="answers:write")
        units = (
            None
            if key.whole_province
            else frozenset(key.units_in_scope().values_list("pk", flat=True))
        )
        return KeyGrant(f"api:{key.prefix}", units, time.monotonic())
    finally:
        connection.close()


def _kiosk_secret(headers: dict[bytes, bytes]) -> str:
    """The kiosk's device secret from its cookie (set when the tablet was registered)."""
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == KIOSK_COOKIE:
            return value.strip()
    return ""


def _kiosk_grant(secret: str) -> KeyGrant:
    from django.db import close_old_connections, connection

    from hailong.kiosks.selectors import kiosk_for_secret

    close_old_connections()
    try:
        kiosk = kiosk_for_secret(secret)
        if kiosk is None:
            raise _refuse(
                401,
                "kiosk",
                "thiết bị này không còn là ki-ốt đã đăng ký; hãy đăng ký lại",
                "this device is no longer a registered kiosk; register it again",
            )
        return KeyGrant(
            kiosk.device,
            frozenset({kiosk.unit_id}),
            time.monotonic(),
            kiosk=True,
            unit_id=kiosk.unit_id,
            desk_id=kiosk.desk_id,
        )
    finally:
        connection.close()


async def _kiosk(secret: str) -> KeyGrant:
    grant = _grants.get("kiosk:" + secret)
    if grant is not None and time.monotonic() - grant.checked_at < KEY_TTL:
        return grant
    grant = await asyncio.to_thread(_kiosk_grant, secret)
    if len(_grants) > 10_000:
        _grants.clear()
    _grants["kiosk:" + secret] = grant
    return grant


async def _api_key(headers: dict[bytes, bytes]) -> KeyGrant:
    """The integrating system's grant, from a cache refreshed every ``KEY_TTL`` seconds."""
    raw = headers.get(b"authorization", b"").decode("latin-1")
    raw = raw[7:].strip() if raw.lower().startswith("bearer ") else ""
    raw = raw or headers.get(b"x-api-key", b"").decode("latin-1").strip()
    if not raw:
        raise _refuse(
            401,
            "form_token",
            "câu trả lời cần phiếu do trang khảo sát cấp, hoặc khóa API của hệ thống tích hợp",
            "an answer needs the form issued by the survey page, or an integrating "
            "system's API key",
        )
    grant = _grants.get(raw)
    if grant is not None and time.monotonic() - grant.checked_at < KEY_TTL:
        return grant
    from hailong.integrations.selectors import ApiKeyRefused

    try:
        grant = await asyncio.to_thread(_grant, raw)
    except ApiKeyRefused as exc:
        _grants.pop(raw, None)
        raise _refuse(exc.status, "authorization", exc.vi, exc.en) from None
    if len(_grants) > 10_000:
        _grants.clear()
    _grants[raw] = grant
    return grant


def _campaign_open(
    entry: CampaignEntry | None, today: dt.date, source: str, code: str
) -> CampaignEntry:
    if entry is None:
        raise _refuse(
            422,
            "campaign",
            f"không có đợt khảo sát mã '{code[:40]}'",
            f"there is no survey campaign '{code[:40]}'",
        )
    if not entry.accepts(today):
        raise _refuse(
            422,
            "campaign",
            "đợt khảo sát này không nhận câu trả lời (chưa mở hoặc đã kết thúc)",
            "this survey campaign is not taking answers (not open yet, or over)",
        )
    if entry.channels and source not in entry.channels:
        raise _refuse(
            422,
            "campaign",
            "đợt khảo sát này không nhận câu trả lời qua kênh này",
            "this survey campaign does not take answers through this channel",
        )
    return entry


async def _read_body(headers: dict[bytes, bytes], receive: Receive) -> bytes:
    length = headers.get(b"content-length", b"")
    if length.isdigit() and int(length) > MAX_BODY:
        raise _too_big()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _refuse(400, "", "kết nối bị ngắt", "the connection was closed")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_big()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_big() -> Refusal:
    return _refuse(
        413,
        "",
        f"nội dung gửi lên quá lớn (tối đa {MAX_BODY // 1024} KB)",
        f"the body is too large (at most {MAX_BODY // 1024} KB)",
    )


def _decode(
    headers: dict[bytes, bytes], body: bytes, is_form: bool
) -> tuple[dict[str, list[str]] | None, dict[str, Any]]:
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if content_type == b"application/json":
        try:
            data = _decoder.decode(body)
        except msgspec.DecodeError as exc:
            raise _refuse(
                400,
                "",
                f"nội dung không phải JSON hợp lệ: {exc}",
                f"the body is not valid JSON: {exc}",
            ) from None
        if not isinstance(data, dict):
            raise _refuse(
                400, "", "nội dung JSON phải là một đối tượng", "the JSON body must be an object"
            )
        return None, data
    if content_type in (b"application/x-www-form-urlencoded", b""):
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=500)
        except (UnicodeDecodeError, ValueError):
            raise _refuse(
                400,
                "",
                "nội dung biểu mẫu không đọc được (UTF-8)",
                "the form body cannot be read (UTF-8)",
            ) from None
        wanted = _FORM_EXTRAS if is_form else fields.keys()
        return fields, {k: fields[k][-1] for k in wanted if k in fields}
    raise _refuse(
        415,
        "",
        "chỉ nhận application/json hoặc application/x-www-form-urlencoded",
        "only application/json or application/x-www-form-urlencoded is accepted",
    )


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *headers,
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_refusal(
    send: Send, refusal: Refusal, is_form: bool, headers: dict[bytes, bytes]
) -> None:
    extra: list[tuple[bytes, bytes]] = []
    if refusal.status == 429:
        extra.append((b"retry-after", b"60"))
    if refusal.status == 405:
        extra.append((b"allow", b"POST"))
    if is_form:
        from django.template.loader import render_to_string

        language = "en" if b"django_language=en" in headers.get(b"cookie", b"") else "vi"
        html = await asyncio.to_thread(
            render_to_string,
            "collection/refused.html",
            {"problems": refusal.problems, "status": refusal.status, "language": language},
        )
        await _send(
            send,
            refusal.status,
            html.encode(),
            [(b"content-type", b"text/html; charset=utf-8"), *extra],
        )
        return
    body = msgspec.json.encode({"status": refusal.status, "errors": refusal.problems})
    await _send(
        send, refusal.status, body, [(b"content-type", b"application/problem+json"), *extra]
    )


def _salt_closing(box: SaltBox, today: dt.date) -> bytes:
    from django.db import close_old_connections, connection

    close_old_connections()
    try:
        return box.salt(today)
    finally:
        connection.close()
