"""A clerk uploads completed files, checks the preview, creates the codes and prints the slips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.invitations.models import InvitationCode
from hailong.units.models import Service, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_creates_codes_from_a_file_and_prints_the_slips(
    live_server: Any, page: Any, artifacts: Path, axe: Any, tmp_path: Path, sign_in: Any
) -> None:
    builtin_instruments_load()
    today = timezone.localdate()
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=root
    )
    campaign = Campaign.objects.create(
        code="sipas-2026", name="Khảo sát sự hài lòng 2026", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=ward, quota=100)
    Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    ).units.add(ward)
    clerk = User.objects.create_user("motcua", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, unit=ward)
    day = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    upload = tmp_path / "ho-so-da-tra.csv"
    upload.write_text(
        "file_number,unit_code,service_code,completed_on,expires_on\n"
        f"H56-0001,14797,1.001193,{day},\nH56-0002,14797,,{day},\n",
        encoding="utf-8",
    )

    sign_in(page, live_server.url + "/quan-tri/ma-moi/tai-len/", "motcua")
    expect(page.locator("h1")).to_have_text("Tạo mã mời")
    assert axe(page) == []
    page.get_by_label("Đợt khảo sát").select_option(label=campaign.name)
    page.get_by_label("Tệp danh sách hồ sơ đã trả kết quả (CSV hoặc XLSX)").set_input_files(
        str(upload)
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()

    expect(page.locator("h1")).to_have_text("Kiểm tra trước khi tạo")
    expect(page.get_by_role("cell", name="H56-0002")).to_be_visible()
    assert not InvitationCode.objects.exists()
    assert axe(page) == []
    page.get_by_role("button", name="Tạo 2 mã").click()

    expect(page.get_by_role("status")).to_contain_text("Đã tạo 2 mã mới")
    first = InvitationCode.objects.get(file_number="H56-0001")
    expect(page.get_by_role("cell", name=first.display)).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="In phiếu có mã QR").click()

    expect(page.locator("h1")).to_have_text("2 phiếu để in")
    expect(page.locator("li.slip")).to_have_count(2)
    expect(page.locator("li.slip svg.qr")).to_have_count(2)
    expect(page.locator("p.slip-code", has_text=first.display)).to_be_visible()
    expect(page.get_by_role("img", name=f"QR {first.display}")).to_be_visible()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "invitation-slips.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("li.slip").first).to_be_visible()
    page.pdf(path=str(artifacts / "invitation-slips.pdf"), format="A4")
