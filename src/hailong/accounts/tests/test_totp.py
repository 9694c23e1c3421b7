"""TOTP against RFC 6238's published vectors, drift, replay, and the enrolment screen."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client

from hailong.accounts import totp
from hailong.accounts.models import RecoveryCode, Role, RoleAssignment, TotpDevice, User
from hailong.accounts.services import second_factor_check, totp_device_start

# RFC 6238 appendix B, SHA-1 rows: the ASCII key "12345678901234567890", 8 digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("when", "code"), RFC_VECTORS)
def test_codes_match_the_rfc_6238_vectors(when: int, code: str) -> None:
    assert totp.totp(RFC_SECRET, when, digits=8) == code
    assert totp.totp(RFC_SECRET, when) == code[-6:]  # six digits are the last six


def test_one_step_either_side_is_accepted_and_two_are_not() -> None:
    secret, now = totp.secret_new(), 1_750_000_000.0
    for offset, accepted in [(-60, False), (-30, True), (0, True), (30, True), (60, False)]:
        code = totp.totp(secret, now + offset)
        assert bool(totp.totp_match(secret, code, when=now)) is accepted, offset
    assert totp.totp_match(secret, "12345", when=now) == 0
    assert totp.totp_match(secret, "abcdef", when=now) == 0


def test_a_used_step_is_refused() -> None:
    secret, now = totp.secret_new(), 1_750_000_000.0
    code = totp.totp(secret, now)
    step = totp.totp_match(secret, code, when=now)
    assert step == int(now // 30)
    assert totp.totp_match(secret, code, last_step=step, when=now) == 0
    later = totp.totp(secret, now + 30)  # the next step still works
    assert totp.totp_match(secret, later, last_step=step, when=now) == step + 1


def test_the_otpauth_address_names_the_account_and_key() -> None:
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXP", account="lan")
    assert uri.startswith("otpauth://totp/hailong%3Alan?secret=JBSWY3DPEHPK3PXP&issuer=hailong")
    assert "digits=6" in uri and "period=30" in uri
    assert totp.secret_grouped("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"


@pytest.mark.django_db
def test_a_code_signs_in_once_and_recovery_codes_once(client: Client) -> None:
    user = User.objects.create_user("lan", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.CLERK)
    client.force_login(user)
    page = client.get("/can-bo/xac-thuc-hai-buoc/").content.decode()
    assert "<svg" in page and "<script" not in page
    device = TotpDevice.objects.get(user=user)
    assert totp.secret_grouped(device.secret) in page
    assert device.confirmed_at is None

    wrong = client.post("/can-bo/xac-thuc-hai-buoc/", {"code": "000000"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    code = totp.totp(device.secret, time.time())
    shown = client.post("/can-bo/xac-thuc-hai-buoc/", {"code": code})
    codes = re.findall(
        r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", shown.content.decode()
    )
    assert len(codes) == 10 and "no-store" in shown["Cache-Control"]
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # only hashes kept
    device.refresh_from_db()
    assert device.confirmed_at is not None

    assert not second_factor_check(user=user, code=code)  # the enrolment used this step
    assert second_factor_check(user=user, code=codes[0].upper().replace("-", " "))
    assert not second_factor_check(user=user, code=codes[0])  # a recovery code works once
    again = client.get("/can-bo/xac-thuc-hai-buoc/").content.decode()
    assert totp.secret_grouped(device.secret) not in again  # the key is never shown again
    with pytest.raises(Exception, match="already has an authenticator"):
        totp_device_start(user=user)
