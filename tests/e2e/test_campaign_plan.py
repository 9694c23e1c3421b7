"""A coordinator plans, opens, closes and publishes a campaign in a real browser checked by
axe-core; answers arrive through the real submission route; a unit manager only reads."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.models import AuditEntry
from hailong.campaigns.models import Campaign
from hailong.collection.integrity import token_new, token_sign
from hailong.collection.models import Response
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.results.models import Computation
from hailong.units.models import Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-rat-dai-2026"


def post_answer(
    base: str, campaign: Campaign, unit: Unit, answers: dict[str, int], age: int
) -> dict[str, Any]:
    """One answer through POST /api/v1/answers, as the public form's last screen sends it;
    retried while the route's catalogue (refreshed every 10 s) does not yet know the campaign
    is open."""
    signed = token_new(campaign_id=campaign.pk, unit_id=unit.pk)
    signed = type(signed)(**{**signed.__dict__, "issued": int(time.time()) - age})
    body = json.dumps({"form_token": token_sign(signed), "answers": answers}).encode()
    deadline = time.monotonic() + 30
    while True:
        request = urllib.request.Request(  # noqa: S310  # the test server's http URL
            f"{base}/api/v1/answers", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:  # noqa: S310
                return dict(json.loads(reply.read()))
        except urllib.error.HTTPError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(exc.read().decode()) from exc
            time.sleep(1)


def test_a_coordinator_runs_a_campaign_from_plan_to_published_snapshot(
    asgi_server: str, page: Any, artifacts: Path, axe: Any, tmp_path: Path, sign_in: Any
) -> None:
    builtin_instruments_load()
    base = asgi_server
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    Unit.objects.create(code="14800", name="Phường Quảng Phú", kind=UnitKind.WARD, parent=province)
    Unit.objects.create(code="16000", name="Xã Nga Sơn", kind=UnitKind.COMMUNE, parent=province)
    coordinator = User.objects.create_user("dieuphoi", password=PASSWORD)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, unit=None)
    manager = User.objects.create_user("truongphuong", password=PASSWORD)
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=ward)
    today = timezone.localdate()

    # create
    sign_in(page, f"{base}/can-bo/dot-khao-sat/", "dieuphoi")
    expect(page.locator("h1")).to_have_text("Đợt khảo sát")
    assert axe(page) == []
    page.get_by_role("link", name="Tạo đợt khảo sát").click()
    page.get_by_label("Mã", exact=True).fill("quay-2026")
    page.get_by_label("Tên", exact=True).fill("Đánh giá tại quầy năm 2026")
    page.get_by_label("Năm khảo sát").fill(str(today.year))
    page.get_by_label("Phiên bản phiếu khảo sát").select_option(
        value=str(InstrumentVersion.objects.get(code="desk-quick").pk)
    )
    page.get_by_label("Ngày bắt đầu thu phiếu").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Ngày kết thúc thu phiếu").fill((today + dt.timedelta(days=30)).isoformat())
    assert axe(page) == []
    page.get_by_role("button", name="Tạo", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo đợt khảo sát")

    # scope: the province's subtree, communes and wards only
    page.get_by_label("Tỉnh Thanh Hóa (Tỉnh)").check()
    page.get_by_label("Xã", exact=True).check()
    page.get_by_label("Phường", exact=True).check()
    assert axe(page) == []
    page.get_by_role("button", name="Lưu phạm vi khảo sát").click()
    expect(page.get_by_role("status")).to_contain_text("Phạm vi khảo sát gồm 3 đơn vị.")

    # channels
    page.get_by_label("Biểu mẫu trực tuyến").check()
    page.get_by_role("button", name="Lưu thiết lập").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thiết lập.")
    campaign = Campaign.objects.get(code="quay-2026")
    assert campaign.channels == ["web"] and campaign.scope.count() == 3

    # completed files: a file naming an unknown unit is refused whole, then the right one
    page.get_by_role("link", name="Kế hoạch và chỉ tiêu").click()
    bad = tmp_path / "so-ho-so.csv"
    bad.write_text("unit,files\n14797,900\n99999,40\n", encoding="utf-8")
    page.get_by_label("Tệp số hồ sơ đã giải quyết theo đơn vị (CSV hoặc XLSX)").set_input_files(
        str(bad)
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("cell", name="đơn vị '99999' không thuộc đợt khảo sát")).to_be_visible()
    assert axe(page) == []
    good = tmp_path / "so-ho-so-dung.csv"
    good.write_text("unit,files\n14797,900\n14800,600\n", encoding="utf-8")
    page.get_by_label("Tệp số hồ sơ đã giải quyết theo đơn vị (CSV hoặc XLSX)").set_input_files(
        str(good)
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    assert axe(page) == []
    page.get_by_role("button", name="Lưu số hồ sơ này").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu 2 dòng")
    # the commune's files typed in the table
    page.get_by_label("Số hồ sơ đã giải quyết: Xã Nga Sơn").fill("120")
    page.get_by_role("button", name="Lưu số hồ sơ và chỉ tiêu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu số hồ sơ và chỉ tiêu.")

    # one quota per kind: 150 per commune is more than the commune's 120 files
    page.get_by_label("Chỉ tiêu mỗi đơn vị: Xã").fill("150")
    page.get_by_label("Chỉ tiêu mỗi đơn vị: Phường").fill("200")
    page.get_by_role("button", name="Áp dụng các chỉ tiêu này").click()
    expect(page.get_by_role("status")).to_contain_text("Xã Nga Sơn (150 > 120)")
    assert set(campaign.scope.values_list("quota", flat=True)) == {0}
    page.get_by_label("Chỉ tiêu mỗi đơn vị: Xã").fill("100")
    page.get_by_role("button", name="Áp dụng các chỉ tiêu này").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đặt chỉ tiêu cho 3 đơn vị.")

    # the planner proposes, the coordinator adjusts one unit and applies
    page.get_by_label("Sai số cho phép").select_option("0.07")
    page.get_by_role("button", name="Đề xuất chỉ tiêu").click()
    expect(page.get_by_role("columnheader", name="Đề xuất")).to_be_visible()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "campaign-plan.png"), full_page=True)
    page.get_by_label("Chỉ tiêu mới: Phường Quảng Phú").fill("160")
    page.get_by_role("button", name="Lưu số hồ sơ và chỉ tiêu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu số hồ sơ và chỉ tiêu.")
    quotas = dict(campaign.scope.values_list("unit__code", "quota"))
    assert quotas["14800"] == 160 and 0 < quotas["16000"] <= 120 and quotas["14797"] > 100

    # open: a step needs a reason
    page.get_by_role("link", name="Đánh giá tại quầy năm 2026").click()
    page.get_by_label("Lý do mở thu phiếu (bắt buộc)").fill("Bắt đầu thu phiếu theo kế hoạch")
    page.get_by_role("button", name="Mở thu phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã chuyển bước.")
    assert axe(page) == []

    # answers arrive through the real submission route; two came too fast to be read
    answers = [
        {"tiep_can": 5, "thu_tuc": 4, "cong_chuc": 5, "ket_qua": 4, "tong_the": 5},
        {"tiep_can": 4, "thu_tuc": 4, "cong_chuc": 3, "ket_qua": 4, "tong_the": 4},
        {"tiep_can": 3, "thu_tuc": 5, "cong_chuc": 4, "ket_qua": 5, "tong_the": 4},
    ]
    for a in answers:
        assert post_answer(base, campaign, ward, a, age=300)["review"] == "accepted"
    fast = [post_answer(base, campaign, ward, {**answers[0], "tong_the": n}, age=0) for n in (2, 3)]
    assert [f["review"] for f in fast] == ["flagged", "flagged"]

    # watch progress: the board counts the accepted answers and the two waiting for review
    page.goto(f"{base}/can-bo/dot-khao-sat/quay-2026/")
    page.get_by_role("link", name="Tiến độ", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Tiến độ thu thập phiếu", timeout=30_000)
    expect(page.get_by_test_id("accepted")).to_have_text("3")
    assert axe(page) == []

    # the flagged batch in the review queue
    page.goto(f"{base}/quan-tri/xet-duyet/")
    for f in fast:
        page.get_by_label(f"Chọn {f['receipt']}").check()
    page.get_by_label("Lý do của quyết định (bắt buộc)").fill(
        "Cán bộ xác nhận người dân đã trả lời"
    )
    page.get_by_role("button", name="Chấp nhận các câu trả lời đã chọn").click()
    expect(page.get_by_role("status")).to_contain_text("Đã quyết định 2 câu trả lời.")
    assert Response.objects.filter(campaign=campaign, review="accepted").count() == 5

    # close, compute, publish: the snapshot's content hash is shown
    page.goto(f"{base}/can-bo/dot-khao-sat/quay-2026/")
    page.get_by_label("Lý do kết thúc thu phiếu (bắt buộc)").fill("Đủ thời gian thu phiếu")
    page.get_by_role("button", name="Kết thúc thu phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã chuyển bước.")
    page.get_by_role("button", name="Tính kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tính kết quả")
    page.get_by_label("Lý do công bố (bắt buộc)").fill("Kết quả đã được lãnh đạo duyệt")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Đã chuyển bước.")
    published = Computation.objects.get(campaign=campaign, published_at__isnull=False)
    expect(page.locator("#snapshot-hash")).to_have_text(published.digest)
    assert published.n_answers == 5
    page.get_by_role("button", name="Tính lại từ các câu trả lời đã lưu và đối chiếu").click()
    expect(page.get_by_role("status")).to_contain_text("trùng mã băm nội dung")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "campaign-published.png"), full_page=True)
    steps = AuditEntry.objects.filter(object_id=str(campaign.pk)).values_list("action", flat=True)
    assert {"campaign.create", "campaign.scope", "campaign.settings", "campaign.volumes_import",
            "campaign.volumes_set", "campaign.quotas_by_kind", "campaign.quotas_apply",
            "campaign.open", "campaign.closed", "campaign.published"} <= set(steps)  # fmt: skip

    # a unit manager reads the list and only their unit's quota, and changes nothing
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, f"{base}/can-bo/dot-khao-sat/", "truongphuong")
    expect(page.get_by_role("link", name="Đánh giá tại quầy năm 2026")).to_be_visible()
    expect(page.get_by_role("link", name="Tạo đợt khảo sát")).to_have_count(0)
    assert axe(page) == []
    page.get_by_role("link", name="Đánh giá tại quầy năm 2026").click()
    expect(page.get_by_role("button")).to_have_count(2)  # the language switch and signing out
    page.get_by_role("link", name="Kế hoạch và chỉ tiêu").click()
    expect(page.get_by_role("rowheader", name="Phường Hạc Thành 14797")).to_be_visible()
    expect(page.get_by_text("Phường Quảng Phú")).to_have_count(0)
    expect(page.locator("input[name^=quota-], input[name^=files-]")).to_have_count(0)
    assert axe(page) == []
