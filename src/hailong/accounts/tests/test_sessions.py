"""Sessions end after inactivity and after the longest sign-in."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from hailong.accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client: Client) -> None:
    client.post("/dang-nhap/", {"username": "lan", "password": PASSWORD})
    assert client.get("/can-bo/").status_code == 200


def age(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


@override_settings(HAILONG_SESSION_IDLE_MINUTES=30)
def test_thirty_idle_minutes_sign_out(client: Client, clerk: User) -> None:
    signed_in(client)
    age(client, "hailong_last_seen", 29 * 60)
    assert client.get("/can-bo/").status_code == 200  # activity moves the clock
    assert time.time() - client.session["hailong_last_seen"] < 5
    age(client, "hailong_last_seen", 31 * 60)
    assert client.get("/can-bo/")["Location"] == "/dang-nhap/?next=/can-bo/"
    assert "_auth_user_id" not in client.session
    assert "không hoạt động" in client.get("/dang-nhap/").content.decode()


@override_settings(SESSION_COOKIE_AGE=3600)
def test_an_active_session_still_ends_at_the_cookie_age(client: Client, clerk: User) -> None:
    signed_in(client)
    age(client, "hailong_signed_in_at", 3601)
    assert client.get("/can-bo/").status_code == 302
