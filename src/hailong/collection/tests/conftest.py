"""A campaign open today with the desk form, and a way to call the ASGI submission route."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.intake import Intake
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Service, Unit, UnitKind

T = TypeVar("T")


@pytest.fixture
def open_campaign() -> Campaign:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30),
        status=Campaign.Status.OPEN, channels=["web", "qr", "api", "kiosk"],
    )  # fmt: skip
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    other = Unit.objects.create(code="14800", name="Phường Quảng Phú", kind=UnitKind.WARD)
    Unit.objects.create(code="99999", name="Xã ngoài đợt", kind=UnitKind.COMMUNE)
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=100)
    CampaignUnit.objects.create(campaign=campaign, unit=other, quota=100)
    birth = Service.objects.create(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch",
                                   level=Service.Level.COMMUNE)  # fmt: skip
    birth.units.add(ward)
    return campaign


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Calls the ASGI submission route in process, as granian would."""

    def __init__(self, intake: Intake) -> None:
        # the route runs on its own loop in its own thread, as under granian; the test thread
        # may already run a loop (Playwright's), which forbids running another one in it
        self.intake = intake
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def post(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        client: str = "203.0.113.7",
    ) -> Reply:
        return self.run(
            self.apost(path, body, content_type=content_type, headers=headers, client=client)
        )

    async def apost(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        client: str = "203.0.113.7",
    ) -> Reply:
        raw_headers = [(b"content-type", content_type.encode())] + [
            (k.lower().encode(), v.encode()) for k, v in (headers or {}).items()
        ]
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "headers": raw_headers,
            "client": (client, 40000),
        }
        sent = False
        out: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        await self.intake(scope, receive, send)
        start = out[0]
        return Reply(
            start["status"],
            {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in out[1:]),
        )

    def form(self, fields: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(
            "/gui-phieu/",
            urlencode(fields, doseq=True).encode(),
            content_type="application/x-www-form-urlencoded",
            **kwargs,
        )


@pytest.fixture
def intake(transactional_db: None) -> Iterator[Client]:
    client = Client(Intake())
    yield client
    client.intake.writer.stop()
    client.close()
