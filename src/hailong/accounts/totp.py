"""Time-based one-time passwords (RFC 6238 over RFC 4226), standard library only.

Authenticator apps (Google Authenticator, Microsoft Authenticator, FreeOTP…) use SHA-1,
30-second steps and 6 digits; a code from the step before or after is accepted for clock
drift, and a step already used is refused so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
DRIFT = 1  # steps accepted either side
ISSUER = "hailong"


def secret_new() -> str:
    """A random 160-bit secret in base32, without padding (RFC 4226 recommends 160 bits)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC of the counter, dynamically truncated to ``digits`` decimals."""
    mac = hmac.digest(key, struct.pack(">Q", counter), digest)
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(when: float) -> int:
    return int(when // STEP)


def totp(secret: str, when: float, *, digits: int = DIGITS) -> str:
    """The code shown by an authenticator at unix time ``when``."""
    return hotp(_key(secret), step_at(when), digits=digits)


def totp_match(secret: str, code: str, *, last_step: int = 0, when: float | None = None) -> int:
    """The time step ``code`` belongs to (±1 step), or 0 when wrong or already used.

    Steps at or before ``last_step`` are refused: each code signs in once.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return 0
    key = _key(secret)
    now = step_at(time.time() if when is None else when)
    for step in (now - DRIFT, now, now + DRIFT):
        if step > last_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return 0


def otpauth_uri(secret: str, *, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// address authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}&algorithm=SHA1"


def secret_grouped(secret: str) -> str:
    """The secret in groups of four, for typing by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_code_new() -> str:
    """80 random bits as four groups of four base32 characters, lower case."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def recovery_code_hash(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes (80 bits need no salt)."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()
