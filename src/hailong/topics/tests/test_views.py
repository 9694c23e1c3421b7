"""The comment pages: who may read what, search, escaping, exports within scope."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest
from django.test import Client

from hailong.accounts.models import Role
from hailong.campaigns.models import Campaign
from hailong.units.models import Unit

from .conftest import Answer

pytestmark = pytest.mark.django_db
BOARD = "/can-bo/y-kien/quay-2026/"
LIST = BOARD + "danh-sach/"
SignedIn = Callable[..., Client]

A_TEXT = "Phòng chờ ở phường chật, phải chờ lâu quá"
B_TEXT = "Xã Đông Tiến trả kết quả trễ hẹn cả tuần"


@pytest.fixture
def two_units(units: dict[str, Unit], answer: Answer) -> None:
    answer(units["a"], A_TEXT, days_ago=40)
    answer(units["b"], B_TEXT, days_ago=3)


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None
    )


def test_anonymous_people_are_sent_to_sign_in() -> None:
    response = Client().get("/can-bo/y-kien/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("role", [Role.CLERK, None])
def test_clerks_are_refused_everywhere(
    role: str | None, units: dict[str, Unit], signed_in: SignedIn, two_units: None
) -> None:
    client = signed_in(role, units["a"])
    for url in ("/can-bo/y-kien/", BOARD, LIST, BOARD + "xuat.csv", BOARD + "xuat.xlsx"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert A_TEXT not in response.content.decode()


def test_a_coordinator_sees_every_unit(
    units: dict[str, Unit], signed_in: SignedIn, two_units: None
) -> None:
    client = signed_in(Role.COORDINATOR)
    index = client.get("/can-bo/y-kien/").content.decode()
    assert "Đánh giá tại quầy 2026" in index
    board = client.get(BOARD).content.decode()
    assert A_TEXT in board and B_TEXT in board
    assert "<svg" in board and "<caption>" in board
    listing = client.get(LIST).content.decode()
    assert A_TEXT in listing and B_TEXT in listing


def test_a_unit_manager_never_reads_another_units_comments(
    units: dict[str, Unit], signed_in: SignedIn, two_units: None
) -> None:
    client = signed_in(Role.UNIT_MANAGER, units["a"])
    crafted = [
        "",
        f"?don_vi={units['b'].pk}",
        f"?don_vi={units['root'].pk}",
        "?q=tre+hen",
        "?don_vi=abc&yeu_to=F4",
        "?giong=complaint&yeu_to=F4&q=Đông",
    ]
    for query in crafted:
        for url in (BOARD, LIST, BOARD + "xuat.csv"):
            response = client.get(url + query)
            body = (
                b"".join(response.streaming_content) if response.streaming else response.content
            ).decode()
            assert response.status_code == 200, url + query
            assert B_TEXT not in body and "trễ hẹn cả tuần" not in body, url + query
        xlsx = client.get(BOARD + "xuat.xlsx" + query)
        assert B_TEXT not in _xlsx_text(xlsx.content)
    assert A_TEXT in client.get(LIST).content.decode()
    assert A_TEXT in _xlsx_text(client.get(BOARD + "xuat.xlsx").content)
    # a unit outside the scope is not a choice: the form says so and finds nothing
    outside = client.get(LIST + f"?don_vi={units['b'].pk}").content.decode()
    assert A_TEXT not in outside and 'class="error"' in outside


def test_a_campaign_without_the_users_units_is_not_found(
    units: dict[str, Unit], signed_in: SignedIn, campaign: Campaign, two_units: None
) -> None:
    campaign.scope.filter(unit=units["b"]).delete()
    client = signed_in(Role.VIEWER, units["b"])
    assert client.get(BOARD).status_code == 404
    assert client.get(BOARD + "xuat.csv").status_code == 404


def test_viewers_read_masked_text_of_their_units(
    units: dict[str, Unit], signed_in: SignedIn, answer: Answer
) -> None:
    answer(units["a"], "Anh Trần Văn Hùng ở quầy 2 rất nhiệt tình, email hung@example.vn")
    client = signed_in(Role.VIEWER, units["a"])
    body = client.get(LIST).content.decode()
    assert "Trần Văn Hùng" not in body and "hung@example.vn" not in body
    assert "Anh [tên]" in body and "[email]" in body
    csv = b"".join(client.get(BOARD + "xuat.csv").streaming_content).decode("utf-8-sig")
    assert "Trần Văn Hùng" not in csv and "Anh [tên]" in csv


def test_comment_text_is_escaped_and_never_a_formula(
    units: dict[str, Unit], signed_in: SignedIn, answer: Answer
) -> None:
    answer(units["a"], "<script>alert('x')</script> chờ lâu quá")
    answer(units["a"], '=HYPERLINK("http://x","bấm") cán bộ tốt')
    client = signed_in(Role.COORDINATOR)
    for url in (BOARD, LIST):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    csv = b"".join(client.get(BOARD + "xuat.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    book = openpyxl.load_workbook(io.BytesIO(client.get(BOARD + "xuat.xlsx").content))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)


def test_search_ignores_diacritics_and_ands_words(
    units: dict[str, Unit], signed_in: SignedIn, two_units: None, answer: Answer
) -> None:
    answer(units["a"], "Cán bộ chờ đợi người dân rất lịch sự")
    client = signed_in(Role.COORDINATOR)
    body = client.get(LIST + "?q=cho+lau").content.decode()
    assert A_TEXT in body and "rất lịch sự" not in body and B_TEXT not in body
    body = client.get(LIST + "?q=CHỜ").content.decode()
    assert A_TEXT in body and "rất lịch sự" in body
    body = client.get(LIST + "?q=tre+hen&giong=complaint&yeu_to=F4").content.decode()
    assert B_TEXT in body and A_TEXT not in body
    body = client.get(LIST + f"?don_vi={units['a'].pk}").content.decode()
    assert A_TEXT in body and B_TEXT not in body


def test_dates_filter_and_a_wrong_range_is_explained(
    units: dict[str, Unit], signed_in: SignedIn, two_units: None
) -> None:
    from django.utils import timezone

    client = signed_in(Role.AUDITOR)
    today = timezone.localdate()
    since = (today - __import__("datetime").timedelta(days=10)).isoformat()
    body = client.get(LIST + f"?tu_ngay={since}").content.decode()
    assert B_TEXT in body and A_TEXT not in body
    body = client.get(LIST + f"?tu_ngay={today.isoformat()}&den_ngay={since}").content.decode()
    assert "Ngày kết thúc trước ngày bắt đầu" in body or "end date is before" in body
    assert B_TEXT not in body


def test_rejected_answers_are_left_out(
    units: dict[str, Unit], signed_in: SignedIn, answer: Answer
) -> None:
    answer(units["a"], "Cán bộ rất tốt, bấm đánh giá giúp", review="rejected")
    client = signed_in(Role.COORDINATOR)
    assert "bấm đánh giá giúp" not in client.get(LIST).content.decode()


def test_the_staff_home_links_the_board_for_readers_only(
    units: dict[str, Unit], signed_in: SignedIn
) -> None:
    assert "/can-bo/y-kien/" in signed_in(Role.VIEWER, units["a"]).get("/can-bo/").content.decode()
    assert (
        "/can-bo/y-kien/" not in signed_in(Role.CLERK, units["a"]).get("/can-bo/").content.decode()
    )


def test_an_empty_board_says_so_without_a_chart(
    units: dict[str, Unit], signed_in: SignedIn, campaign: Campaign
) -> None:
    body = signed_in(Role.COORDINATOR).get(BOARD).content.decode()
    assert "<svg" not in body
    assert "nothing to chart" in body or "không có gì để vẽ" in body.lower()


def test_the_evidence_is_shown_and_masked_too(
    units: dict[str, Unit], signed_in: SignedIn, answer: Answer
) -> None:
    answer(units["a"], "Quầy 3 không chị Mai nhiệt tình")  # the negation spans the name
    body = signed_in(Role.UNIT_MANAGER, units["a"]).get(LIST).content.decode()
    assert "Mai" not in body
    assert "«không chị [tên] nhiệt tình»" in body and "«không» + «nhiệt tình»" in body
