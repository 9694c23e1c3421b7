"""Registering a tablet as a kiosk, and what a kiosk may send."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.collection.tests.conftest import Client as RouteClient
from hailong.kiosks.models import Kiosk
from hailong.kiosks.services import COOKIE, kiosk_registration_new
from hailong.units.models import Desk, Unit

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {"tiep_can": 5, "thu_tuc": 4, "cong_chuc": 5, "ket_qua": 4, "gop_y": 99, "tong_the": 5}


def registered(client: Client) -> Kiosk:
    ward = Unit.objects.get(code="14797")
    kiosk = Kiosk(
        name="Ki-ốt quầy 1",
        unit=ward,
        desk=Desk.objects.create(unit=ward, code="q1", name="Quầy 1"),
    )
    code = kiosk_registration_new(kiosk=kiosk)
    assert client.get(f"/kiosk/dang-ky/{code}/").status_code == 200  # a preview registers nothing
    assert not client.cookies.get(COOKIE)
    done = client.post(f"/kiosk/dang-ky/{code}/")
    assert done.status_code == 302 and done["Location"] == "/kiosk/"
    cookie = done.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert client.post(f"/kiosk/dang-ky/{code}/").status_code == 404  # used once
    return kiosk


def test_a_registered_tablet_shows_the_desk_form(open_campaign: Campaign, client: Client) -> None:
    assert client.get("/kiosk/").status_code == 403
    registered(client)
    page = client.get("/kiosk/").content.decode()
    assert (
        "Phường Hạc Thành" in page
        and 'id="kiosk-config"' in page
        and '"campaign": "quay-nay"' in page
    )
    assert client.get("/kiosk/sw.js")["Content-Type"].startswith("text/javascript")


def test_a_kiosk_answers_for_its_own_unit_and_desk_only(
    open_campaign: Campaign, client: Client, intake: RouteClient
) -> None:
    kiosk = registered(client)
    cookie = f"{COOKIE}={client.cookies[COOKIE].value}"
    body = json.dumps({"campaign": "quay-nay", "unit": "14800", "answers": ANSWERS}).encode()
    sent = intake.post(
        "/api/v1/answers", body, headers={"Cookie": cookie, "Idempotency-Key": "kiosk-0001-abcd"}
    )
    assert sent.status == 201, sent.body
    stored = Response.objects.get()
    assert (stored.unit.code, stored.desk, stored.source) == ("14797", kiosk.desk, "kiosk")
    assert stored.collection_mode == "kiosk" and stored.device == kiosk.device
    again = intake.post(
        "/api/v1/answers", body, headers={"Cookie": cookie, "Idempotency-Key": "kiosk-0001-abcd"}
    )
    assert again.json()["receipt"] == stored.receipt and Response.objects.count() == 1
    kiosk_registration_new(
        kiosk=Kiosk.objects.get(pk=kiosk.pk)
    )  # re-registered: old tablet cut off
    from hailong.collection import intake as route

    route._grants.clear()  # a grant is trusted for 30 s; past that, the change is seen
    cut = intake.post(
        "/api/v1/answers", body, headers={"Cookie": cookie, "Idempotency-Key": "kiosk-0002-abcd"}
    )
    assert cut.status == 401 and cut.json()["errors"][0]["field"] == "kiosk"
