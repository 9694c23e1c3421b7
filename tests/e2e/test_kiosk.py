"""A kiosk at the desk answers, loses the network, answers again, and sends everything once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.collection.models import Response
from hailong.kiosks.models import Kiosk
from hailong.kiosks.services import kiosk_registration_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 1024, "height": 768}


def wait_for(page: Any, condition: Any, seconds: float = 20) -> None:
    """Poll ``condition`` while letting Playwright run its handlers (it runs them only then)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        page.wait_for_timeout(200)


def answer(page: Any, overall: str, comment: str = "") -> None:
    """Tap through the desk form: 4 on every factor, ``overall`` at the end, then the comment."""
    for _ in range(5):
        page.locator("#kiosk-app .choices button").nth(3).click()
    page.locator("#kiosk-app").get_by_role("button", name=overall, exact=True).click()
    if comment:
        page.locator("#kiosk-app textarea").fill(comment)
        page.get_by_role("button", name="Gửi").click()
    else:
        page.get_by_role("button", name="Bỏ qua").click()
    expect(page.locator(".thanks")).to_be_visible()
    feedback = page.get_by_role("link", name="Gửi phản ánh, kiến nghị đến đơn vị này")
    expect(feedback).to_have_attribute("href", "/gop-y/?don-vi=14797&nguon=kiosk")


def test_a_kiosk_keeps_answers_offline_and_sends_each_once(
    asgi_server: str, browser: Any, artifacts: Path, axe: Any, kiosk_desk: tuple[Any, str]
) -> None:
    desk, code = kiosk_desk

    # the page's requests must be visible to page.route (a service worker would hide them);
    # the service worker itself is checked below, in a second tablet
    context = browser.new_context(
        locale="vi-VN", viewport=TABLET, has_touch=True, service_workers="block"
    )
    page = context.new_page()
    page.goto(f"{asgi_server}/kiosk/dang-ky/{code}/")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#kiosk-app h2")).to_contain_text("Nơi tiếp nhận")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "kiosk.png"))

    answer(page, "Hài lòng")  # online
    wait_for(page, lambda: Response.objects.count() == 1)

    context.set_offline(True)
    expect(page.locator("#kiosk-app h2")).to_contain_text("Nơi tiếp nhận", timeout=10_000)
    answer(page, "Rất hài lòng", "Cán bộ hướng dẫn tận tình")  # no network: kept on the tablet
    expect(page.locator("#kiosk-status")).to_contain_text("Chờ gửi: 1")
    assert Response.objects.count() == 1

    lost: list[str] = []

    def lose_reply(route: Any) -> None:  # the server stores it, the tablet never hears back
        route.fetch()
        lost.append(str(route.request.header_value("idempotency-key")))
        route.abort()

    page.route("**/api/v1/answers", lose_reply, times=1)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(page, lambda: Response.objects.count() == 2 and bool(lost))
    assert lost  # the reply was lost: the answer is still queued on the tablet
    expect(page.locator("#kiosk-status")).to_contain_text("Chờ gửi: 1")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # sent again: a replay
    expect(page.locator("#kiosk-status")).to_have_text("", timeout=10_000)

    stored = list(Response.objects.order_by("submitted_at"))
    assert len(stored) == 2 and {r.source for r in stored} == {"kiosk"}
    assert [r.answers["tong_the"] for r in stored] == [4, 5]
    assert stored[1].answers["y_kien"] == "Cán bộ hướng dẫn tận tình"
    assert stored[1].idempotency_key == "api-" + lost[0] and all(r.desk == desk for r in stored)
    context.close()

    # a tablet with its service worker opens the kiosk page again without any network
    code = kiosk_registration_new(kiosk=Kiosk.objects.get(name="Ki-ốt quầy 1"))
    tablet = browser.new_context(locale="vi-VN", viewport=TABLET, has_touch=True)
    page = tablet.new_page()
    page.goto(f"{asgi_server}/kiosk/dang-ky/{code}/")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#kiosk-app h2")).to_contain_text("Nơi tiếp nhận")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which has cached the page
    tablet.set_offline(True)
    page.reload()
    expect(page.locator("#kiosk-app h2")).to_contain_text("Nơi tiếp nhận")
    answer(page, "Hài lòng")
    expect(page.locator("#kiosk-status")).to_contain_text("Chờ gửi: 1")
    tablet.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(page, lambda: Response.objects.count() == 3)
    tablet.close()
