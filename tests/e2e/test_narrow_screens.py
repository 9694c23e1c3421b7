"""Every public page and the staff screens on a 360 px phone: the page itself never scrolls
sideways (a wide table scrolls inside its own focusable region, named by its caption) and axe
finds nothing; the kiosk's five-point scale reads in one row or in one column, in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.cases.services import case_submit
from hailong.demo.services import (
    answers_load,
    campaign_create,
    current_campaigns_create,
    structure_load,
    suspicious_answers_add,
)
from hailong.results.services import campaign_compute, campaign_publish
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
PASSWORD = "mat-khau-rat-dai-2026"
SCALE = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]


def page_width(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_no_page_scrolls_sideways_on_a_phone(
    live_server: Any, page: Any, axe: Any, settings: Any, tmp_path: Path, sign_in: Any
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_REPORTS_DIR = tmp_path / "reports"
    root = structure_load()
    published = campaign_create(root=root)
    published.min_answers = 15
    published.save()
    answers_load(campaign=published, total=2000, progress=lambda n: None)
    campaign_compute(campaign=published)
    campaign_publish(campaign=published)
    today = timezone.localdate()
    survey, desk = current_campaigns_create(root=root, today=today)
    for current in (survey, desk):
        answers_load(
            campaign=current, total=600, until=today - dt.timedelta(days=1),
            progress=lambda n: None,
        )  # fmt: skip
    suspicious_answers_add(campaign=survey, day=today - dt.timedelta(days=1))  # held back
    ward = Unit.objects.filter(kind=UnitKind.WARD, valid_to__isnull=True).order_by("path")[0]
    case = case_submit(
        unit=ward, kind="complaint",
        text="Cán bộ hẹn trả kết quả nhưng trễ hẹn 3 ngày, không báo trước cho người dân.",
    )  # fmt: skip
    user = User.objects.create_user("dieuphoi", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    pub, now, unit = published.code, survey.code, ward.code
    public = [
        "/", "/ket-qua/", f"/ket-qua/{unit}/", "/don-vi/", "/khao-sat/",
        f"/khao-sat/?dot={now}&don-vi={unit}", f"/khao-sat/phieu/?dot={now}&don-vi={unit}",
        "/gop-y/", "/gop-y/tra-cuu/", "/gop-y/cong-khai/", "/du-lieu-mo/",
        f"/du-lieu-mo/{pub}/tu-dien/",
    ]  # fmt: skip
    staff = [
        "/can-bo/", "/can-bo/phan-anh/", f"/can-bo/phan-anh/{case.pk}/",
        "/can-bo/phan-anh/ngay-nghi/", "/can-bo/bao-cao/", f"/can-bo/dot-khao-sat/{now}/tien-do/",
        "/can-bo/dot-khao-sat/", f"/can-bo/dot-khao-sat/{now}/", f"/can-bo/dot-khao-sat/{pub}/",
        f"/can-bo/dot-khao-sat/{now}/ke-hoach/", "/can-bo/bang-dieu-khien/",
        f"/can-bo/bang-dieu-khien/{pub}/", f"/can-bo/bang-dieu-khien/{pub}/don-vi/{unit}/",
        "/can-bo/y-kien/", f"/can-bo/y-kien/{pub}/", "/can-bo/don-vi/", f"/can-bo/don-vi/{unit}/",
        "/can-bo/thu-tuc/", "/can-bo/nguoi-dung/", "/quan-tri/ma-qr/", "/quan-tri/ma-moi/",
        "/quan-tri/nhap-lieu/", "/quan-tri/nhat-ky/", "/quan-tri/xet-duyet/",
    ]  # fmt: skip

    page.set_viewport_size(PHONE)
    found: dict[str, Any] = {}
    for path in public:
        page.goto(live_server.url + path)
        if (width := page_width(page)) > PHONE["width"] or (problems := axe(page)):
            found[path] = width if width > PHONE["width"] else problems
    sign_in(page, live_server.url + "/can-bo/", "dieuphoi")
    expect(page.locator("h1")).to_be_visible()
    for path in staff:
        assert page.goto(live_server.url + path).status == 200, path  # type: ignore[union-attr]
        page.wait_for_load_state("networkidle")  # the charts, drawn by the server, are in
        if (width := page_width(page)) > PHONE["width"] or (problems := axe(page)):
            found[path] = width if width > PHONE["width"] else problems
    assert found == {}  # each page too wide (its width in px) or with axe's findings

    # the unit's result: the criteria table scrolls in its own region, the page does not
    page.goto(f"{live_server.url}/ket-qua/{unit}/")
    region = page.get_by_role("region", name="Mức độ hài lòng theo yếu tố", exact=False)
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    criterion = region.locator("th.item").first.bounding_box()
    assert criterion is not None and criterion["width"] >= 180  # not a word or two per line
    # the case list's filters wrap: every control on screen, none stretched tall
    page.goto(f"{live_server.url}/can-bo/phan-anh/")
    for name in ("Trạng thái", "Loại", "Đơn vị"):
        box = page.get_by_label(name, exact=True).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"] and box["height"] < 80
    show = page.get_by_role("button", name="Xem", exact=True).bounding_box()
    assert show is not None and show["x"] + show["width"] <= PHONE["width"]


def scale_boxes(page: Any) -> list[dict[str, float]]:
    buttons = page.locator("#kiosk-app .choices button")
    expect(buttons.nth(4)).to_be_visible()
    assert [buttons.nth(i).inner_text() for i in range(5)] == SCALE
    return [buttons.nth(i).bounding_box() for i in range(5)]


def test_the_kiosk_scale_reads_in_one_row_or_one_column(
    live_server: Any, browser: Any, axe: Any, kiosk_desk: tuple[Any, str]
) -> None:
    code = kiosk_desk[1]
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 800, "height": 1280}, has_touch=True,
        service_workers="block",
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/dang-ky/{code}/")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#kiosk-app h2")).to_contain_text("Nơi tiếp nhận")
    for width, height in ((800, 1280), (360, 740), (1280, 800)):  # upright tablet, phone, wide
        page.set_viewport_size({"width": width, "height": height})
        boxes = scale_boxes(page)
        lefts, tops = [b["x"] for b in boxes], [b["y"] for b in boxes]
        one_row = max(tops) - min(tops) < 1 and lefts == sorted(lefts) and len(set(lefts)) == 5
        one_column = max(lefts) - min(lefts) < 1 and tops == sorted(tops) and len(set(tops)) == 5
        assert one_row or one_column, (width, boxes)
        if width >= 800:
            assert one_row, width  # a tablet shows the scale as a line, as on paper
        assert page_width(page) <= width
        assert axe(page) == []
    context.close()
