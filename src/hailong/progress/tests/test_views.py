"""The board, its refreshing body and its export, per role and unit scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import Role
from hailong.campaigns.models import Campaign
from hailong.units.models import Unit

from .conftest import Answer, local, signed_in

pytestmark = pytest.mark.django_db
BOARD = "/can-bo/dot-khao-sat/quay-nay/tien-do/"
BODY = BOARD + "bang/"
XLSX = "/can-bo/dot-khao-sat/quay-nay/tien-do.xlsx"


@pytest.fixture
def collected(campaign: Campaign, units: dict[str, Unit], answer: Answer) -> None:
    """Hạc Thành on pace; Đông Tiến with a jump of "Rất hài lòng" in the last days."""
    today = timezone.localdate()
    for d in range(1, 11):
        day = today - dt.timedelta(days=d)
        for i in range(6):
            answer(
                units["a"], local(day, 8, 5 * i), overall=4, source="qr", collection_mode="desk_qr"
            )
        for i in range(4 if d > 2 else 14):
            answer(units["b"], local(day, 9, 3 * i), overall=5 if d <= 2 else (5 if i == 0 else 3))
    answer(units["a"], local(today - dt.timedelta(days=1), 16), review="flagged")


def test_anonymous_people_are_sent_to_sign_in(campaign: Campaign) -> None:
    for url in (BOARD, BODY, XLSX):
        response = Client().get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    # htmx polling after the session ended: the whole page reloads instead
    response = Client().get(BODY, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == BOARD


@pytest.mark.parametrize("role", [Role.CLERK, None])
def test_clerks_and_people_without_a_role_are_refused_with_a_clear_page(
    role: str | None, campaign: Campaign, collected: None
) -> None:
    client = signed_in(role)
    for url in (BOARD, BODY, XLSX):
        response = client.get(url)
        assert response.status_code == 403
        assert "Phường Hạc Thành" not in response.content.decode()
    assert "vai trò" in client.get(BOARD).content.decode()


def test_an_unknown_campaign_is_not_found(campaign: Campaign) -> None:
    assert (
        signed_in(Role.COORDINATOR).get("/can-bo/dot-khao-sat/khong-co/tien-do/").status_code == 404
    )


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR])
def test_province_roles_see_every_unit_the_alerts_and_the_charts(
    role: str, collected: None
) -> None:
    page = signed_in(role).get(BOARD).content.decode()
    assert "Phường Hạc Thành" in page and "Xã Đông Tiến" in page and "Xã Đông Thịnh" in page
    assert page.count('role="img"') == 2 and "<caption>" in page
    assert 'hx-trigger="every 30s' in page and "htmx-2.0.11.min.js" in page
    alerts = page.split('class="alerts"')[1].split("</ul>")[0]
    assert "Xã Đông Tiến" in alerts and "100%" in alerts  # the jump, with its numbers
    assert "Xã Đông Thịnh" in alerts  # no answer at all: behind
    # furthest behind first: Đông Thịnh (none) before Hạc Thành (on pace)
    table = page.split("<tbody>")[1]
    assert table.index("Xã Đông Thịnh") < table.index("Phường Hạc Thành")


def test_a_unit_manager_sees_only_their_unit_and_no_alert_about_others(
    units: dict[str, Unit], collected: None
) -> None:
    client = signed_in(Role.UNIT_MANAGER, units["a"])
    for url in (BOARD, BODY):
        page = client.get(url).content.decode()
        assert "Phường Hạc Thành" in page
        assert "Xã Đông Tiến" not in page and "Xã Đông Thịnh" not in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(XLSX).content))
    names = [row[1] for row in book["Đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Phường Hạc Thành"]
    assert all("Đông" not in str(row) for row in book["Cảnh báo"].iter_rows(values_only=True))


def test_a_viewer_of_one_unit_sees_its_jump_alert(units: dict[str, Unit], collected: None) -> None:
    page = signed_in(Role.VIEWER, units["b"]).get(BOARD).content.decode()
    assert "Xã Đông Tiến" in page.split('class="alerts"')[1] and "Phường Hạc Thành" not in page


def test_the_body_alone_is_the_board_without_its_page(collected: None) -> None:
    body = signed_in(Role.COORDINATOR).get(BODY).content.decode()
    assert "<html" not in body and "Phường Hạc Thành" in body and 'data-testid="accepted"' in body


def test_the_export_reads_back_with_numbers_as_numbers(
    campaign: Campaign, units: dict[str, Unit], collected: None
) -> None:
    response = signed_in(Role.COORDINATOR).get(XLSX)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert 'filename="tien-do-quay-nay-' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Đơn vị", "Kênh", "Ngày", "Cảnh báo"]
    rows = {r[1]: r for r in book["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["Đơn vị"][1]][:4] == [
        "Mã đơn vị", "Cơ quan, đơn vị", "Chỉ tiêu", "Được chấp nhận",
    ]  # fmt: skip
    assert rows["Phường Hạc Thành"][2:6] == (100, 60, 1, 0)
    assert rows["Xã Đông Thịnh"][3] == 0 and rows["Xã Đông Thịnh"][8] == 0
    channels = {(r[0], r[1]): r[2] for r in book["Kênh"].iter_rows(min_row=2, values_only=True)}
    assert sum(channels.values()) == 60 + 8 * 4 + 2 * 14
    days = list(book["Ngày"].iter_rows(min_row=2, values_only=True))
    assert len(days) == 10 and isinstance(days[0][0], dt.datetime) and days[0][1] == 10
    kinds = [r[0] for r in book["Cảnh báo"].iter_rows(min_row=2, values_only=True)]
    assert "Tỉ lệ “Rất hài lòng” tăng vọt" in kinds and "Chậm tiến độ" in kinds


def test_the_staff_home_lists_a_board_per_open_campaign(
    units: dict[str, Unit], campaign: Campaign
) -> None:
    assert BOARD in signed_in(Role.VIEWER, units["a"]).get("/can-bo/").content.decode()
    assert (
        BOARD
        not in signed_in(Role.CLERK, units["a"], name="clerk").get("/can-bo/").content.decode()
    )
