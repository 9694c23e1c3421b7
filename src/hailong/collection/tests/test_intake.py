"""The submission route: validation, idempotency, integrity, all through the real writer."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import unquote

import pytest

from hailong.campaigns.models import Campaign
from hailong.collection.integrity import token_new, token_sign
from hailong.collection.models import ClientSalt, Response
from hailong.collection.receipts import receipt_normalise
from hailong.units.models import Service, Unit

from .conftest import Client

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = {"tiep_can": 5, "thu_tuc": 4, "cong_chuc": 5, "ket_qua": 4, "gop_y": 99, "tong_the": 5}


def token(campaign: Campaign, unit: str = "14797", *, age: int = 120, **extra: Any) -> str:
    signed = token_new(campaign_id=campaign.pk, unit_id=Unit.objects.get(code=unit).pk, **extra)
    signed = type(signed)(**{**signed.__dict__, "issued": int(time.time()) - age})
    return token_sign(signed)


def body(campaign: Campaign, answers: dict[str, Any] | None = None, **extra: Any) -> bytes:
    return json.dumps({"form_token": token(campaign), "answers": answers or GOOD, **extra}).encode()


def test_a_valid_answer_is_on_disk_when_acknowledged(
    open_campaign: Campaign, intake: Client
) -> None:
    reply = intake.post("/api/v1/answers", body(open_campaign))
    assert reply.status == 201, reply.body
    receipt = reply.json()["receipt"]
    assert receipt_normalise(receipt) == receipt and reply.json()["review"] == "accepted"
    stored = Response.objects.get(receipt=receipt)
    assert stored.answers == {k: v for k, v in GOOD.items() if k != "gop_y"}  # 99: not applicable
    assert stored.source == "web" and stored.fill_seconds is not None and stored.fill_seconds >= 120
    assert len(stored.client_hash) == 32 and "203.0.113.7" not in json.dumps(
        list(Response.objects.values_list("client_hash", "device", "flags"))
    )
    assert ClientSalt.objects.count() == 1


def test_a_replay_returns_the_original_receipt_and_stores_nothing(
    open_campaign: Campaign, intake: Client
) -> None:
    payload = body(open_campaign)
    first = intake.post("/api/v1/answers", payload)
    again = intake.post("/api/v1/answers", payload)
    assert first.status == again.status == 201
    assert again.json()["receipt"] == first.json()["receipt"] and again.json()["status"] == "replay"
    assert again.headers["idempotent-replayed"] == "true"
    assert Response.objects.count() == 1


def test_the_same_key_with_other_answers_is_a_conflict(
    open_campaign: Campaign, intake: Client
) -> None:
    signed = token(open_campaign)
    first = intake.post(
        "/api/v1/answers", json.dumps({"form_token": signed, "answers": GOOD}).encode()
    )
    changed = {**GOOD, "tong_the": 1}
    second = intake.post(
        "/api/v1/answers", json.dumps({"form_token": signed, "answers": changed}).encode()
    )
    assert first.status == 201 and second.status == 409
    assert "idempotency" in second.json()["errors"][0]["en"]
    assert Response.objects.get().answers["tong_the"] == 5


@pytest.mark.parametrize(
    ("payload", "status", "field", "words"),
    [
        (b"{not json", 400, "", "not valid JSON"),
        (b"[1, 2]", 400, "", "must be an object"),
        (json.dumps({"answers": GOOD}).encode(), 401, "form_token", "API key"),
        (
            json.dumps({"form_token": "abc.def", "answers": GOOD}).encode(),
            403,
            "form_token",
            "damaged",
        ),
    ],
)
def test_malformed_bodies_get_a_clear_error_and_store_nothing(
    open_campaign: Campaign, intake: Client, payload: bytes, status: int, field: str, words: str
) -> None:
    reply = intake.post("/api/v1/answers", payload)
    assert reply.status == status
    error = reply.json()["errors"][0]
    assert error["field"] == field and words in error["en"] and error["vi"]
    assert Response.objects.count() == 0


def test_every_bad_answer_is_named_and_nothing_is_stored(
    open_campaign: Campaign, intake: Client
) -> None:
    answers = {"tiep_can": 7, "thu_tuc": "4", "cong_chuc": True, "bogus": 1, "y_kien": "x" * 3000}
    reply = intake.post("/api/v1/answers", body(open_campaign, answers))
    assert reply.status == 422
    fields = {e["field"] for e in reply.json()["errors"]}
    assert fields == {"tiep_can", "thu_tuc", "cong_chuc", "bogus", "y_kien", "tong_the"}
    assert all(e["vi"] and e["en"] for e in reply.json()["errors"])
    assert Response.objects.count() == 0


def test_oversized_and_wrong_type_bodies_are_refused(
    open_campaign: Campaign, intake: Client
) -> None:
    big = intake.post("/api/v1/answers", b"{" + b" " * (70 * 1024) + b"}")
    assert big.status == 413 and "KB" in big.json()["errors"][0]["vi"]
    xml = intake.post("/api/v1/answers", b"<a/>", content_type="application/xml")
    assert xml.status == 415


def test_units_services_and_campaigns_are_checked(open_campaign: Campaign, intake: Client) -> None:
    outside = intake.post("/api/v1/answers", json.dumps(
        {"form_token": token(open_campaign, "99999"), "answers": GOOD}).encode())  # fmt: skip
    assert outside.status == 422 and outside.json()["errors"][0]["field"] == "unit"
    elsewhere = Service.objects.get(code="1.001193")
    signed = token_sign(token_new(campaign_id=open_campaign.pk,
                                  unit_id=Unit.objects.get(code="14800").pk, service_id=elsewhere.pk))  # fmt: skip
    wrong = intake.post(
        "/api/v1/answers", json.dumps({"form_token": signed, "answers": GOOD}).encode()
    )
    assert wrong.status == 422 and wrong.json()["errors"][0]["field"] == "service"
    Campaign.objects.filter(pk=open_campaign.pk).update(status=Campaign.Status.CLOSED)
    intake.intake.catalogue.clear()
    closed = intake.post("/api/v1/answers", body(open_campaign))
    assert closed.status == 422 and "not taking answers" in closed.json()["errors"][0]["en"]
    assert Response.objects.count() == 0


def test_a_unit_merged_away_takes_no_more_answers(open_campaign: Campaign, intake: Client) -> None:
    """Once merged, a ward's old QR forms and an integrating system's rows for it are refused."""
    from django.utils import timezone

    from hailong.integrations.services import api_key_create
    from hailong.units.services import units_merge

    _, raw = api_key_create(name="Một cửa điện tử", scopes=["answers:write"], whole_province=True)
    old_form = token(open_campaign, "14797")  # issued before the merge
    today = timezone.localdate()
    units_merge(actor=None, units=[Unit.objects.get(code="14797")],
                into=Unit.objects.get(code="14800"), valid_from=today, reason="Sáp nhập")  # fmt: skip
    intake.intake.catalogue.clear()

    refused = intake.post(
        "/api/v1/answers", json.dumps({"form_token": old_form, "answers": GOOD}).encode()
    )
    assert refused.status == 422, refused.body
    error = refused.json()["errors"][0]
    last = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert error["field"] == "unit"
    assert "Phường Hạc Thành (14797) không còn tồn tại" in error["vi"] and last in error["vi"]
    assert "Phường Hạc Thành (14797) no longer exists" in error["en"] and last in error["en"]
    api = intake.post("/api/v1/answers", json.dumps({"campaign": "quay-nay", "unit": "14797",
                                                     "answers": GOOD}).encode(),
                      headers={"X-API-Key": raw, "Idempotency-Key": "mc-000010"})  # fmt: skip
    assert api.status == 422 and "no longer exists" in api.json()["errors"][0]["en"]
    assert Response.objects.count() == 0
    kept = intake.post("/api/v1/answers", json.dumps({"campaign": "quay-nay", "unit": "14800",
                                                      "answers": GOOD}).encode(),
                       headers={"X-API-Key": raw, "Idempotency-Key": "mc-000011"})  # fmt: skip
    assert kept.status == 201, kept.body  # the unit that took it over still answers


def test_a_form_post_redirects_to_the_thank_you_page(
    open_campaign: Campaign, intake: Client
) -> None:
    fields = {"_token": token(open_campaign), "website": "", **{k: str(v) for k, v in GOOD.items()}}
    reply = intake.form(fields)
    assert reply.status == 303
    receipt = unquote(reply.headers["location"].split("/")[2])  # a check symbol may be "*"
    assert Response.objects.get(receipt=receipt).answers["tong_the"] == 5


def test_a_refused_form_post_explains_in_html(open_campaign: Campaign, intake: Client) -> None:
    reply = intake.form({"_token": token(open_campaign), "tiep_can": "8"})
    assert reply.status == 422 and reply.headers["content-type"].startswith("text/html")
    page = reply.body.decode()
    assert "Chưa gửi được câu trả lời" in page and "tiep_can" in page and "Quay lại" in page


def test_suspicious_answers_are_stored_but_wait_for_review(
    open_campaign: Campaign, intake: Client
) -> None:
    fast = intake.post("/api/v1/answers", json.dumps(
        {"form_token": token(open_campaign, age=1), "answers": {**GOOD, "tong_the": 3}}).encode())  # fmt: skip
    assert fast.status == 201 and fast.json()["review"] == "flagged"
    bot = intake.form({"_token": token(open_campaign), "website": "http://spam", "tong_the": "5"})
    assert bot.status == 303  # a robot is not told it was caught
    again = intake.post("/api/v1/answers", body(open_campaign))
    twice = intake.post(
        "/api/v1/answers", body(open_campaign)
    )  # new key, same answers, same device
    assert again.json()["review"] == "accepted" and twice.json()["review"] == "flagged"
    flags = {r.receipt: (r.flags, r.review) for r in Response.objects.all()}
    assert flags[fast.json()["receipt"]] == (["too_fast"], "flagged")
    assert flags[twice.json()["receipt"]] == (["near_duplicate"], "flagged")
    assert sorted(f for f, _ in flags.values() if "honeypot" in f) == [["honeypot"]]


def test_a_flood_from_one_address_is_throttled_without_slowing_others(
    open_campaign: Campaign, intake: Client
) -> None:
    statuses = [
        intake.post("/api/v1/answers", body(open_campaign), client="198.51.100.9").status
        for _ in range(40)
    ]
    assert statuses.count(201) >= 20 and statuses[-1] == 429
    other = intake.post("/api/v1/answers", body(open_campaign), client="198.51.100.10")
    assert other.status == 201


def test_concurrent_submissions_share_commits_and_all_are_stored(
    open_campaign: Campaign, intake: Client
) -> None:
    import asyncio

    payloads = [body(open_campaign, {**GOOD, "tong_the": 1 + i % 5}) for i in range(200)]

    async def flood() -> list[int]:
        replies = await asyncio.gather(
            *(
                intake.apost("/api/v1/answers", p, client=f"10.0.{i // 250}.{i % 250}")
                for i, p in enumerate(payloads)
            )
        )
        return [r.status for r in replies]

    assert intake.run(flood()) == [201] * 200
    assert Response.objects.count() == 200
    assert intake.intake.writer.batches < 200  # answers waiting together were committed together


def test_the_openapi_document_describes_the_submission_route(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/answers"]["post"]
    assert operation["operationId"] == "answers_submit" and "422" in operation["responses"]
    assert "BearerKey" in schema["components"]["securitySchemes"]


def test_an_integrating_system_submits_with_its_key_for_its_units_only(
    open_campaign: Campaign, intake: Client
) -> None:
    from hailong.integrations.services import api_key_create

    ward = Unit.objects.get(code="14797")
    _, raw = api_key_create(name="Một cửa điện tử", scopes=["answers:write"], units=[ward])
    _, reader = api_key_create(name="Chỉ đọc", scopes=["receipts:read"], whole_province=True)
    payload = {"campaign": "quay-nay", "unit": "14797", "service": "1.001193", "answers": GOOD,
               "submitted_at": "2020-01-01T08:00:00+07:00", "filing_channel": "online_full"}  # fmt: skip
    sent = intake.post("/api/v1/answers", json.dumps(payload).encode(),
                       headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "mc-000001"})  # fmt: skip
    assert sent.status == 201, sent.body
    stored = Response.objects.get(receipt=sent.json()["receipt"])
    assert (
        stored.source == "api" and stored.device.startswith("api:") and stored.service is not None
    )
    assert stored.submitted_at.year == 2020 and stored.filing_channel == "online_full"
    again = intake.post("/api/v1/answers", json.dumps(payload).encode(),
                        headers={"X-API-Key": raw, "Idempotency-Key": "mc-000001"})  # fmt: skip
    assert again.json()["receipt"] == stored.receipt and Response.objects.count() == 1

    elsewhere = intake.post("/api/v1/answers", json.dumps({**payload, "unit": "14800", "service": None}).encode(),
                            headers={"X-API-Key": raw, "Idempotency-Key": "mc-000002"})  # fmt: skip
    assert elsewhere.status == 403 and elsewhere.json()["errors"][0]["field"] == "unit"
    no_scope = intake.post("/api/v1/answers", json.dumps(payload).encode(),
                           headers={"X-API-Key": reader, "Idempotency-Key": "mc-000003"})  # fmt: skip
    assert no_scope.status == 403
    wrong = intake.post("/api/v1/answers", json.dumps(payload).encode(),
                        headers={"X-API-Key": "hl_nothing_here", "Idempotency-Key": "mc-000004"})  # fmt: skip
    assert wrong.status == 401
    no_key = intake.post("/api/v1/answers", json.dumps(payload).encode(),
                         headers={"X-API-Key": raw, "Idempotency-Key": "short"})  # fmt: skip
    assert no_key.status == 422 and no_key.json()["errors"][0]["field"] == "idempotency_key"
    assert Response.objects.count() == 1


def test_the_shared_rate_limit_counts_across_processes_through_redis() -> None:
    import asyncio
    import os
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from hailong.collection.integrity import RateLimiter

    url = os.environ.get("HAILONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    one = RateLimiter(per_minute=3, burst=2, redis_url=url)
    two = RateLimiter(per_minute=3, burst=2, redis_url=url)  # another node, the same Redis
    key = "test:" + uuid.uuid4().hex

    async def run() -> list[bool]:
        return [await (one if i % 2 else two).allow(key) for i in range(7)]

    while True:  # the count is per clock minute: try again if the minute turned meanwhile
        minute = int(time.time() // 60)
        with ThreadPoolExecutor(1) as pool:  # its own loop: the test thread may run one
            allowed = pool.submit(asyncio.run, run()).result()
        if int(time.time() // 60) == minute:
            break
        key = "test:" + uuid.uuid4().hex
    assert allowed == [True] * 5 + [False] * 2


def test_the_benchmark_s_checked_only_route_checks_everything_and_writes_nothing(
    open_campaign: Campaign, intake: Client
) -> None:
    """bench/submit.py's like-for-like baseline: the route's every check, no writing."""
    reply = intake.post("/bench/checked", body(open_campaign))
    assert reply.status == 201 and reply.json() == {"status": "checked"}
    assert not Response.objects.exists()
    bad = intake.post("/bench/checked", body(open_campaign, {"f1_1": 9}))
    assert bad.status == 422 and "f1_1" in bad.body.decode()  # the same checks refuse
    assert intake.post("/api/v1/answers", body(open_campaign)).json()["review"] == "accepted"
    assert Response.objects.count() == 1  # its duplicate memory is its own: not flagged


def test_an_unreachable_redis_falls_back_to_counting_in_the_process() -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from hailong.collection.integrity import RateLimiter

    limiter = RateLimiter(per_minute=60, burst=2, redis_url="redis://127.0.0.1:1/0")  # nobody there
    started = time.monotonic()

    async def run() -> list[bool]:
        return [await limiter.allow("a:x") for _ in range(3)]

    with ThreadPoolExecutor(1) as pool:  # its own loop: the test thread may run one
        allowed = pool.submit(asyncio.run, run()).result()
    assert allowed == [True, True, False]  # still limited, by the process's own bucket
    assert limiter.allow_now("b:y") is True
    assert time.monotonic() - started < 5  # given up quickly, not hanging on the socket
