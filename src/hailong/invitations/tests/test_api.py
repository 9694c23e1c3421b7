"""The API for integrating systems: keys, scopes, unit limits, sizes, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.integrations.models import ApiKey
from hailong.integrations.services import api_key_create
from hailong.invitations.codes import code_display
from hailong.invitations.models import InvitationCode

from .conftest import World

pytestmark = pytest.mark.django_db
ALL = ["invitations:write", "invitations:read", "answers:write", "receipts:read"]


@pytest.fixture
def key_a(world: World) -> str:
    return api_key_create(name="Một cửa phường Hạc Thành", scopes=ALL, units=[world.a])[1]


def post(client: Client, key: str | None, body: Any, **headers: str) -> Any:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        "/api/v1/invitations", raw, content_type="application/json", **auth, **headers
    )


def get(client: Client, path: str, key: str) -> Any:
    return client.get(path, HTTP_X_API_KEY=key)


def test_codes_are_created_and_the_same_files_return_them(
    client: Client, world: World, key_a: str
) -> None:
    body = {"campaign": world.campaign.code, "rows": [
        world.row("H1", service_code=world.birth.code), world.row("H2")]}  # fmt: skip
    first = post(client, key_a, body)
    assert first.status_code == 201
    out = first.json()
    assert [(o["row"], o["file_number"], o["created"], o["status"]) for o in out] == [
        (1, "H1", True, "unused"), (2, "H2", True, "unused")]  # fmt: skip
    code = out[0]["code"]
    assert out[0]["display"] == code_display(code) and out[0]["service_code"] == "1.001193"
    assert out[0]["url"] == f"http://testserver/m/{code}"
    assert out[0]["qr_url"] == f"http://testserver/api/v1/invitations/{code}/qr.svg"
    stored = InvitationCode.objects.get(code=code)
    assert stored.created_by_key == ApiKey.objects.get() and stored.created_by is None
    again = post(client, key_a, body)
    assert again.status_code == 200 and [o["code"] for o in again.json()] == [
        o["code"] for o in out
    ]
    assert not any(o["created"] for o in again.json())


def test_bad_rows_create_nothing_and_are_named(client: Client, world: World, key_a: str) -> None:
    body = {"campaign": world.campaign.code, "rows": [
        world.row("H1"), world.row("H2", completed_on="2026-13-01"), "not a row"]}  # fmt: skip
    response = post(client, key_a, body)
    assert response.status_code == 422
    problems = response.json()["extra"]["problems"]
    assert {(p["row"], p["field"]) for p in problems} >= {(2, "completed_on"), (3, "file_number")}
    assert all(p["vi"] and p["en"] for p in problems)
    assert "No code was created" in response.json()["message"]
    assert not InvitationCode.objects.exists()
    unknown = post(client, key_a, {"campaign": "khong-co", "rows": [world.row("H1")]})
    assert unknown.status_code == 422 and unknown.json()["extra"]["field"] == "campaign"
    assert post(client, key_a, b"{not json").status_code == 422
    assert post(client, key_a, {"rows": "x"}).status_code == 422


def test_a_key_cannot_create_codes_for_another_unit(
    client: Client, world: World, key_a: str
) -> None:
    body = {"campaign": world.campaign.code, "rows": [world.row("H1"), world.row("H2", world.b)]}
    response = post(client, key_a, body)
    assert response.status_code == 403
    assert response.json()["extra"]["units"] == ["14800"]
    assert "14800" in response.json()["extra"]["en"] and "14800" in response.json()["extra"]["vi"]
    assert not InvitationCode.objects.exists()
    province = api_key_create(name="Tỉnh", scopes=ALL, whole_province=True)[1]
    assert post(client, province, body).status_code == 201


def test_oversized_bodies_are_refused_with_413(client: Client, world: World, key_a: str) -> None:
    rows = [world.row(f"H{i}") for i in range(5001)]
    many = post(client, key_a, {"campaign": world.campaign.code, "rows": rows})
    assert many.status_code == 413 and "5000" in many.json()["extra"]["en"]
    padding = {
        "campaign": world.campaign.code,
        "rows": [world.row("H1")],
        "pad": "x" * (2 * 1024 * 1024),
    }
    assert post(client, key_a, padding).status_code == 413
    assert not InvitationCode.objects.exists()


def test_keys_are_checked_401_and_scopes_403(client: Client, world: World, key_a: str) -> None:
    body = {"campaign": world.campaign.code, "rows": [world.row("H1")]}
    missing = post(client, None, body)
    assert missing.status_code == 401 and "Thiếu khoá API" in missing.json()["extra"]["vi"]
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert post(client, "hl_00000000_wrong", body).status_code == 401
    assert post(client, None, body, HTTP_X_API_KEY=key_a).status_code == 201
    reader = api_key_create(name="Chỉ đọc", scopes=["receipts:read"], units=[world.a])[1]
    refused = post(client, reader, body)
    assert refused.status_code == 403 and "invitations:write" in refused.json()["extra"]["en"]
    ApiKey.objects.filter(name="Chỉ đọc").update(active=False)
    assert post(client, reader, body).status_code == 401
    ApiKey.objects.filter(name="Chỉ đọc").update(active=True, expires_at=timezone.now())
    assert "expired" in post(client, reader, body).json()["extra"]["en"]


def test_a_code_is_read_with_its_status_but_never_its_answers(
    client: Client, world: World, key_a: str
) -> None:
    codes = post(client, key_a, {"campaign": world.campaign.code,
                                 "rows": [world.row("H1"), world.row("H2"), world.row("H3")]}).json()  # fmt: skip
    used, expired, fresh = (InvitationCode.objects.get(code=c["code"]) for c in codes)
    InvitationCode.objects.filter(pk=used.pk).update(
        used_at=timezone.now(), receipt="2026-AAAA-AAAA-0"
    )
    InvitationCode.objects.filter(pk=expired.pk).update(
        expires_on=world.today - dt.timedelta(days=1)
    )
    statuses = [
        get(client, f"/api/v1/invitations/{c.code}", key_a).json() for c in (used, expired, fresh)
    ]
    assert [s["status"] for s in statuses] == ["used", "expired", "unused"]
    assert "receipt" not in statuses[0] and "answers" not in statuses[0]
    typed = get(client, f"/api/v1/invitations/{code_display(fresh.code).lower()}", key_a)
    assert typed.status_code == 200 and typed.json()["code"] == fresh.code
    wrong = fresh.code[:-1] + ("0" if fresh.code[-1] != "0" else "1")
    assert get(client, f"/api/v1/invitations/{wrong}", key_a).status_code == 422
    svg = get(client, f"/api/v1/invitations/{fresh.code}/qr.svg", key_a)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    other = api_key_create(name="Quảng Phú", scopes=ALL, units=[world.b])[1]
    assert get(client, f"/api/v1/invitations/{fresh.code}", other).status_code == 404
    assert get(client, f"/api/v1/invitations/{fresh.code}/qr.svg", other).status_code == 404


def test_a_receipt_says_whether_the_answer_is_stored(
    client: Client, world: World, key_a: str
) -> None:
    receipt = receipt_new(2026)
    Response.objects.create(
        receipt=receipt, idempotency_key="k1", campaign=world.campaign,
        instrument=world.campaign.instrument, unit=world.a, source="web", collection_mode="online",
        submitted_at=timezone.now(), answers={"tong_the": 5}, verified=True,
    )  # fmt: skip
    found = get(client, f"/api/v1/receipts/{receipt.lower()}", key_a)
    assert found.status_code == 200
    body = found.json()
    assert body == {"receipt": receipt, "stored": True, "campaign": "sipas-2026", "unit_code": "14797",
                    "submitted_on": timezone.localdate().isoformat(), "review": "accepted",
                    "verified": True}  # fmt: skip
    other = api_key_create(name="Quảng Phú", scopes=["receipts:read"], units=[world.b])[1]
    assert get(client, f"/api/v1/receipts/{receipt}", other).json() == {
        "receipt": receipt, "stored": False, "campaign": None, "unit_code": None,
        "submitted_on": None, "review": None, "verified": None}  # fmt: skip
    mistyped = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    assert get(client, f"/api/v1/receipts/{mistyped}", key_a).status_code == 422
    assert get(client, "/api/v1/receipts/khong-phai", key_a).status_code == 422
    no_scope = api_key_create(name="Tạo mã", scopes=["invitations:write"], units=[world.a])[1]
    assert get(client, f"/api/v1/receipts/{receipt}", no_scope).status_code == 403


def test_last_use_is_written_at_most_once_a_minute(
    client: Client, world: World, key_a: str
) -> None:
    assert get(client, "/api/v1/receipts/khong-phai", key_a).status_code == 422
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    get(client, "/api/v1/receipts/khong-phai", key_a)
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    get(client, "/api/v1/receipts/khong-phai", key_a)
    assert ApiKey.objects.get().last_used_at > first


def test_the_openapi_document_describes_the_operations(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    for path in ("/api/v1/invitations", "/api/v1/invitations/{code}",
                 "/api/v1/invitations/{code}/qr.svg", "/api/v1/receipts/{receipt}"):  # fmt: skip
        assert path in paths
    create = paths["/api/v1/invitations"]["post"]
    assert "Tạo mã mời" in create["summary"] and "all or nothing" in create["description"]
    assert "tất cả hoặc không" in create["description"]
    assert {"413", "422", "403", "401"} <= set(create["responses"])
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"campaign", "rows"}
    assert {"BearerKey", "HeaderKey"} == set(document["components"]["securitySchemes"])
    assert create["tags"] == ["invitations"]
