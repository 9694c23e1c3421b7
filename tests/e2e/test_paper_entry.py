"""A clerk types two paper sheets with the keyboard only, in a real browser checked by axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.entry.services import batch_open, sheet_enter
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_types_two_sheets_by_keyboard(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    builtin_instruments_load()
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    campaign = Campaign.objects.create(
        code="quay-2025", name="Đánh giá tại quầy 2025", year=2025,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), status=Campaign.Status.OPEN,
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=100)
    # No is_staff: the staff sign-in (/dang-nhap/) admits anyone holding a role.
    clerk = User.objects.create_user("lan", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, unit=ward)
    batch = batch_open(
        user=clerk,
        campaign=campaign,
        unit=ward,
        number="07",
        expected_sheets=10,
        double_entry=False,
    )

    # The staff sign-in comes first.
    sign_in(page, f"{live_server.url}/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/", "lan")
    expect(page.locator("h1")).to_contain_text("Nhập lô 07")
    expect(page.locator("#id_q_tiep_can")).to_be_focused()  # ready to type the first answer
    expect(page.get_by_label("Số phiếu")).to_have_value("1")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "paper-entry.png"), full_page=True)

    for key in ["5", "Tab", "4", "Tab", "5", "Tab", "4", "Tab", "99", "Tab", "5", "Tab"]:
        page.keyboard.press(key) if key == "Tab" else page.keyboard.type(key)
    page.keyboard.type("Cán bộ nhiệt tình")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Phiếu số 1 đã lưu")
    expect(page.get_by_label("Số phiếu")).to_have_value("2")
    expect(page.locator("#id_q_tiep_can")).to_be_focused()

    for key in ["3", "Tab", "3", "Tab", "4", "Tab", "3", "Tab", "3", "Tab", "7"]:
        page.keyboard.press(key) if key == "Tab" else page.keyboard.type(key)
    page.keyboard.press("Enter")  # 7 is not on the scale: refused, and said where
    expect(page.get_by_role("alert")).to_contain_text("Câu tong_the")
    expect(page.locator("#id_q_tong_the")).to_be_focused()  # the cursor waits on the wrong answer
    expect(page.locator("#id_q_tiep_can")).to_have_value("3")  # what was typed is kept
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "paper-entry-error.png"), full_page=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Phiếu số 2 đã lưu")

    stored = sorted(Response.objects.all(), key=lambda r: r.idempotency_key)
    assert [r.answers["tong_the"] for r in stored] == [5, 4]
    assert "gop_y" not in stored[0].answers and stored[0].answers["y_kien"] == "Cán bộ nhiệt tình"

    page.get_by_role("link", name="Trang của lô").click()
    expect(page.locator("ul.figures")).to_contain_text("2 đã lưu")
    assert axe(page) == []


def test_the_mismatch_and_import_screens_pass_axe(
    live_server: Any, page: Any, artifacts: Path, axe: Any, sign_in: Any
) -> None:
    builtin_instruments_load()
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    campaign = Campaign.objects.create(
        code="quay-2025", name="Đánh giá tại quầy 2025", year=2025,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), status=Campaign.Status.OPEN,
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=100)
    clerks = []
    for name in ("lan", "minh", "hoa"):
        user = User.objects.create_user(name, password="mat-khau-rat-dai-2026")
        RoleAssignment.objects.create(user=user, role=Role.CLERK, unit=ward)
        clerks.append(user)
    batch = batch_open(
        user=clerks[0],
        campaign=campaign,
        unit=ward,
        number="08",
        expected_sheets=5,
        double_entry=True,
    )
    typed = {"tiep_can": "5", "thu_tuc": "4", "cong_chuc": "5", "ket_qua": "4", "tong_the": "5"}
    sheet_enter(batch=batch, clerk=clerks[0], sheet_number=1, typed=typed, service="")
    sheet_enter(
        batch=batch, clerk=clerks[1], sheet_number=1, typed=typed | {"tong_the": "3"}, service=""
    )

    sign_in(page, f"{live_server.url}/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/", "hoa")
    expect(page.locator("h1")).to_contain_text("Sai khác của lô 08")
    expect(page.locator("tbody")).to_contain_text("5 – Rất hài lòng")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "paper-mismatch.png"), full_page=True)
    page.get_by_label("Bản 1").check()
    page.get_by_role("button", name="Lưu phiếu 1 với các giá trị này").click()
    expect(page.get_by_role("status")).to_contain_text("Phiếu số 1 đã xử lý sai khác và đã lưu")
    assert Response.objects.get().answers["tong_the"] == 5

    page.get_by_role("link", name="Nhập từ tệp").click()
    expect(page.locator("h1")).to_have_text("Nhập câu trả lời từ tệp")
    assert axe(page) == []
    page.get_by_label("Đợt khảo sát").select_option(label=campaign.name)
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "phieu.csv",
                "mimeType": "text/csv",
                "buffer": b"ma_don_vi,tong_the\n14797,8\n",
            }
        ]
    )
    page.get_by_role("button", name="Kiểm tra tệp (chưa lưu gì)").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu gì")
    expect(page.locator("table")).to_contain_text("tong_the")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "import-problems.png"), full_page=True)
