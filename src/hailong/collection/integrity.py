"""Keeping the ballot box honest: form tokens, address hashes, rate limits and flags.

- A **form token** is signed by the server when it shows a form: it names the campaign, the
  unit (and procedure, desk, invitation code) and the time the form was issued, and carries
  the answer's idempotency key. A submission without a valid token is refused; the time
  between issue and submission is the answer's duration, and too short a duration is flagged.
- A network address is never stored: only :func:`client_hash`, a keyed hash whose random
  salt is replaced every day (:class:`~hailong.collection.models.ClientSalt`).
- :class:`RateLimiter` throttles a flood from one address or device with HTTP 429 before the
  body is read, in process or shared through Redis (``HAILONG_REDIS_URL``).
- :func:`answer_flags` marks answers that need a person's look before they count: the
  honeypot field was filled, the answer came too fast, every item has the same answer and
  was given fast, or the same device sent the same answers to the same unit a moment ago.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings

TOKEN_VERSION = "1"  # noqa: S105 - a format number, not a secret
TOKEN_MAX_AGE = dt.timedelta(days=2)
SECONDS_PER_ANSWER = 1.0  # faster than this per answered question is not reading
MIN_SECONDS = 3
STRAIGHT_LINE_ITEMS = 8
DUPLICATE_WINDOW = 1800  # seconds

log = logging.getLogger(__name__)


class TokenRefused(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class FormToken:
    """What the server vouched for when it showed the form."""

    campaign_id: int
    unit_id: int
    service_id: int | None
    desk_id: int | None
    key: str
    issued: int  # unix seconds
    invitation: str = ""
    mode: str = "online"

    def elapsed(self, now: float | None = None) -> int:
        return max(0, int((now if now is not None else time.time()) - self.issued))


_keys: dict[str, bytes] = {}


def _token_key() -> bytes:
    secret = settings.SECRET_KEY
    if secret not in _keys:
        _keys[secret] = hashlib.sha256(b"hailong.form-token:" + secret.encode()).digest()
    return _keys[secret]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _unb64(text: str) -> bytes:
    # base64.urlsafe_b64decode, without its two layers of Python on the submission path
    return binascii.a2b_base64(
        (text + "=" * (-len(text) % 4)).encode("ascii").translate(_FROM_URLSAFE)
    )


RECEIPT_PASS_SECONDS = 3600


def receipt_pass(receipt: str, *, now: float | None = None) -> str:
    """Proof, carried to the thank-you page, that this receipt was just given to this browser:
    that page then shows it without counting a lookup (many people behind one office address)."""
    issued = int(now if now is not None else time.time())
    mac = hmac.digest(_token_key(), f"thanks|{receipt}|{issued}".encode(), "sha256")[:12]
    return f"{issued}.{_b64(mac)}"


def receipt_pass_holds(receipt: str, text: str, *, now: float | None = None) -> bool:
    issued, _, mac = text.partition(".")
    if not issued.isdigit() or len(mac) > 32:
        return False
    age = (now if now is not None else time.time()) - int(issued)
    if not 0 <= age <= RECEIPT_PASS_SECONDS:
        return False
    expected = receipt_pass(receipt, now=int(issued)).partition(".")[2]
    return hmac.compare_digest(mac, expected)


def token_sign(token: FormToken) -> str:
    payload = "|".join(
        [
            TOKEN_VERSION,
            str(token.campaign_id),
            str(token.unit_id),
            str(token.service_id or ""),
            str(token.desk_id or ""),
            token.key,
            str(token.issued),
            token.invitation,
            token.mode,
        ]
    ).encode()
    mac = hmac.digest(_token_key(), payload, "sha256")[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def token_new(
    *,
    campaign_id: int,
    unit_id: int,
    service_id: int | None = None,
    desk_id: int | None = None,
    invitation: str = "",
    mode: str = "online",
) -> FormToken:
    """A fresh token with a new idempotency key, issued now."""
    return FormToken(
        campaign_id=campaign_id,
        unit_id=unit_id,
        service_id=service_id,
        desk_id=desk_id,
        key="web-" + secrets.token_hex(16),
        issued=int(time.time()),
        invitation=invitation,
        mode=mode,
    )


def _damaged() -> TokenRefused:
    """Built on refusal only, not for every token read."""
    return TokenRefused(
        "phiếu khảo sát bị hỏng hoặc không do hệ thống cấp; hãy mở lại trang khảo sát",
        "the survey form is damaged or was not issued by this site; open the survey page again",
    )


def token_read(text: str, *, now: float | None = None) -> FormToken:
    """The token's content, if its signature holds and it is not too old."""
    try:
        encoded, _, mac_text = text.partition(".")
        payload = _unb64(encoded)
        mac = _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise _damaged() from None
    expected = hmac.digest(_token_key(), payload, "sha256")[:16]
    if not mac or not hmac.compare_digest(mac, expected):
        raise _damaged()
    try:
        version, campaign, unit, service, desk, key, issued, invitation, mode = (
            payload.decode().split("|")
        )
        if version != TOKEN_VERSION:
            raise ValueError(version)
        token = FormToken(
            campaign_id=int(campaign),
            unit_id=int(unit),
            service_id=int(service) if service else None,
            desk_id=int(desk) if desk else None,
            key=key,
            issued=int(issued),
            invitation=invitation,
            mode=mode,
        )
    except ValueError:
        raise _damaged() from None
    age = (now if now is not None else time.time()) - token.issued
    if age > TOKEN_MAX_AGE.total_seconds():
        raise TokenRefused(
            "phiếu khảo sát đã mở quá 2 ngày; hãy mở lại trang khảo sát",
            "the survey form was opened more than 2 days ago; open the survey page again",
        )
    return token


# --- network addresses ------------------------------------------------------------------


class SaltBox:
    """Today's salt, loaded once a day per process from the database."""

    def __init__(self) -> None:
        self._day: dt.date | None = None
        self._salt = b""
        self._lock = threading.Lock()

    def salt(self, today: dt.date) -> bytes:
        if self._day != today:
            with self._lock:
                if self._day != today:
                    self._salt = salt_of_day(today).encode()
                    self._day = today
        return self._salt

    def current(self, today: dt.date) -> bytes | None:
        """Today's salt if already loaded (no database access, for async callers)."""
        return self._salt if self._day == today else None


def salt_of_day(day: dt.date) -> str:
    """Today's salt, created by whichever process asks first; salts of old days deleted."""
    from .models import ClientSalt

    salt, _ = ClientSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
    ClientSalt.objects.filter(day__lt=day - dt.timedelta(days=1)).delete()
    return salt.salt


def client_hash(address: str, salt: bytes) -> str:
    return hmac.digest(salt, address.encode(), "sha256").hex()[:32]


# --- rate limits ------------------------------------------------------------------------


# A Redis that stops answering must not hold requests: a shared count is given up after this
# (the process then counts on its own, or the submission is refused as the caller decides).
REDIS_TIMEOUT = 0.25


class RateLimiter:
    """A token bucket per key: ``burst`` at once, refilled at ``per_minute``.

    In process by default; with a Redis URL the count is shared by every process and node
    (a fixed one-minute window, which is what Redis does atomically in one round trip).
    """

    def __init__(self, *, per_minute: int, burst: int, redis_url: str = "") -> None:
        self.per_minute = per_minute
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._redis_url = redis_url
        self._redis: Any = None
        self._redis_now: Any = None
        if redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
            )

    async def allow(self, key: str) -> bool:
        """Shared through Redis when configured; should Redis fail, this process's own bucket
        counts instead (answers keep arriving, still limited, and the log says why)."""
        if self._redis is not None:
            import redis

            try:
                return await self._allow_shared(key)
            except (redis.RedisError, OSError):
                log.warning("the shared rate limit is unreachable; counting in this process")
        return self.allow_local(key)

    def allow_now(self, key: str) -> bool:
        """:meth:`allow` for synchronous code (Django's views).

        Shared through Redis when configured; should Redis fail, the process's own bucket
        counts instead (a lookup page keeps working, still limited, and the log says why).
        """
        if self._redis_url:
            import redis

            try:
                if self._redis_now is None:
                    self._redis_now = redis.Redis.from_url(
                        self._redis_url,
                        socket_timeout=REDIS_TIMEOUT,
                        socket_connect_timeout=REDIS_TIMEOUT,
                    )
                with self._redis_now.pipeline(transaction=True) as pipe:
                    name = self._window_name(key)  # once: the same key for both commands
                    pipe.incr(name)
                    pipe.expire(name, 120)
                    count, _ = pipe.execute()
                return int(count) <= self.per_minute + self.burst
            except redis.RedisError:
                log.warning("the shared rate limit is unreachable; counting in this process")
        with self._lock:
            return self.allow_local(key)

    @staticmethod
    def _window_name(key: str) -> str:
        return f"hailong:rate:{key}:{int(time.time() // 60)}"

    def allow_local(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > 100_000:  # forget the oldest addresses
            for _ in range(10_000):
                self._buckets.popitem(last=False)
        return allowed

    async def _allow_shared(self, key: str) -> bool:
        name = self._window_name(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = await pipe.execute()
        return int(count) <= self.per_minute + self.burst


# --- flags ------------------------------------------------------------------------------


class RecentAnswers:
    """Answers seen lately per (address, unit), to catch the same answers sent twice."""

    def __init__(self, window: int = DUPLICATE_WINDOW, size: int = 50_000) -> None:
        self.window = window
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        last = self._seen.pop(key, None)
        self._seen[key] = now
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return last is not None and now - last < self.window


def answer_flags(
    *,
    item_answers: list[Any],
    answered: int,
    fill_seconds: int | None,
    honeypot: bool = False,
    duplicate: bool = False,
) -> list[str]:
    """Why an answer should wait for review (empty: it counts at once).

    ``item_answers`` are the satisfaction items' answers; ``answered`` counts every answered
    question. Straight-lining alone is common among satisfied people, so it is flagged only
    when it also came fast.
    """
    flags: list[str] = []
    if honeypot:
        flags.append("honeypot")
    if fill_seconds is not None:
        fastest = max(MIN_SECONDS, SECONDS_PER_ANSWER * answered)
        if fill_seconds < fastest:
            flags.append("too_fast")
        elif (
            fill_seconds < 2 * fastest  # the cheap test first: most answers take longer
            and len(item_answers) >= STRAIGHT_LINE_ITEMS
            and len(set(map(str, item_answers))) == 1
        ):
            flags.append("straight_line")
    if duplicate:
        flags.append("near_duplicate")
    return flags


FLAG_REASONS = {
    "honeypot": (
        "trường ẩn chống máy tự động đã bị điền",
        "the hidden anti-robot field was filled",
    ),
    "too_fast": ("trả lời quá nhanh để kịp đọc câu hỏi", "answered too fast to read the questions"),
    "straight_line": (
        "mọi tiêu chí cùng một mức và trả lời nhanh",
        "the same level for every item, answered fast",
    ),
    "near_duplicate": (
        "cùng thiết bị vừa gửi câu trả lời giống hệt cho cùng đơn vị",
        "the same device just sent identical answers for the same unit",
    ),
}
