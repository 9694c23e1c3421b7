"""A respondent on a phone fills in the public survey, with JavaScript on and off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Service, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def campaign_with(code: str) -> Campaign:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="sipas-nay", name="Khảo sát sự hài lòng năm nay", year=today.year,
        instrument=InstrumentVersion.objects.get(code=code),
        period_start=today - dt.timedelta(days=10), period_end=today + dt.timedelta(days=20),
        status=Campaign.Status.OPEN, channels=["web", "qr"],
    )  # fmt: skip
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    department = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    for unit in (ward, department):
        CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=100)
    birth = Service.objects.create(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch",
                                   level=Service.Level.COMMUNE)  # fmt: skip
    birth.units.add(ward)
    return campaign


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_phone_user_answers_the_provincial_form(
    asgi_server: str, browser: Any, artifacts: Path, axe: Any, javascript: bool
) -> None:
    campaign_with("sipas-2017-province")
    context = browser.new_context(
        locale="vi-VN", viewport=PHONE, java_script_enabled=javascript, is_mobile=True
    )
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(asgi_server) else outside.append(r.url))

    page.goto(asgi_server + "/khao-sat/")
    assert axe(page) == [] if javascript else True
    page.get_by_label("Tìm theo tên").fill("hac thanh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Phường Hạc Thành").first.click()
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_text("Bước 1/7")).to_be_visible()
    if javascript:
        assert axe(page) == []
    page.screenshot(path=str(artifacts / f"survey-step1-{javascript}.png"), full_page=True)

    if javascript:  # an answer survives a reload of the page
        page.get_by_label("Nữ").check()
        page.reload()
        expect(page.get_by_label("Nữ")).to_be_checked()
    page.get_by_role("button", name="Tiếp theo").click()  # nothing is required on screen 1
    for step in range(2, 7):
        expect(page.get_by_text(f"Bước {step}/7")).to_be_visible()
        gate = page.locator("#q-gave_feedback")
        if gate.count():  # with JavaScript, the questions it opens appear once it is answered
            gate.get_by_label("Có", exact=True).check()
        for group in page.locator("fieldset.question:visible").all():
            radios = group.locator("input[type=radio]")
            if radios.count() and group.get_attribute("id") != "q-gave_feedback":
                radios.nth(3 if radios.count() > 3 else 0).check()
        if step == 2:  # the language switch keeps the answers given on this screen
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            assert page.locator("fieldset.question input:checked").count() >= 4
            page.get_by_role("button", name="Tiếng Việt").click()
        page.get_by_role("button", name="Tiếp theo").click()
    expect(page.get_by_text("Bước 7/7")).to_be_visible()
    page.locator("textarea").first.fill("Cán bộ nhiệt tình, nhưng phải chờ lâu.")
    page.get_by_role("button", name="Gửi phiếu đánh giá").click()

    expect(page.locator("h1")).to_have_text("Cảm ơn Ông/Bà, câu trả lời đã được ghi nhận")
    receipt = page.locator(".receipt strong").inner_text()
    stored = Response.objects.get(receipt=receipt)
    assert stored.service is not None and stored.service.code == "1.001193"
    assert stored.answers["gave_feedback"] == 1 and "f5_1" in stored.answers
    assert "chờ lâu" in next(v for v in stored.answers.values() if isinstance(v, str))
    if javascript:
        assert axe(page) == []
    page.screenshot(path=str(artifacts / f"survey-thanks-{javascript}.png"), full_page=True)
    assert Response.objects.count() == 1
    assert outside == []
    context.close()
