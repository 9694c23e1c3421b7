"""The public pages and the staff screens over HTTP: scope, escaping, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.cases.models import Case
from hailong.cases.services import CaseRefused, case_from_response, case_submit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db


def answer(unit: Unit, answers: dict[str, object]) -> Response:
    builtin_instruments_load()
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        code="quay-nay",
        defaults={
            "name": "Đánh giá tại quầy", "year": today.year,
            "instrument": InstrumentVersion.objects.get(code="desk-quick"),
            "period_start": today - dt.timedelta(days=5), "period_end": today + dt.timedelta(days=5),
            "status": Campaign.Status.OPEN,
        },
    )  # fmt: skip
    return Response.objects.create(
        receipt=receipt_new(today.year), idempotency_key=f"t-{Response.objects.count()}",
        campaign=campaign, instrument=campaign.instrument, unit=unit, source="web",
        collection_mode="online", submitted_at=timezone.now(), answers=answers,
    )  # fmt: skip


def test_sending_from_the_form_gives_a_code_that_shows_the_case_escaped(
    client: Client, wards: tuple[Unit, Unit]
) -> None:
    given = answer(wards[0], {"tong_the": 2})
    form = client.get(f"/gop-y/?don-vi=14797&bien-nhan={given.receipt}&nguon=thanks")
    assert form.status_code == 200 and given.receipt in form.content.decode()
    reply = client.post(
        "/gop-y/",
        {"don_vi": "14797", "loai": "complaint", "noi_dung": "<script>alert(1)</script> gọi 0912345678",
         "bien_nhan": given.receipt, "nguon": "thanks", "dien_thoai": "0912345678"},
    )  # fmt: skip
    assert reply.status_code == 302
    case = Case.objects.get()
    assert case.response == given and case.source == "thanks"
    page = client.get(reply["Location"]).content.decode()
    assert case.code in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "0912345678" not in page  # masked beyond the unit


def test_bad_input_on_the_form_says_why_and_keeps_what_was_typed(
    client: Client, wards: tuple[Unit, Unit]
) -> None:
    reply = client.post("/gop-y/", {"don_vi": "14797", "loai": "complaint", "noi_dung": ""})
    assert reply.status_code == 400 and "đang để trống" in reply.content.decode()
    reply = client.post("/gop-y/", {"don_vi": "nope", "loai": "complaint", "noi_dung": "Chậm"})
    assert reply.status_code == 400 and "Chậm" in reply.content.decode()
    assert not Case.objects.exists()
    # everything wrong is named at once, each beside its field
    reply = client.post("/gop-y/", {"don_vi": "", "noi_dung": "", "bien_nhan": "2026-XXXX",
                                    "dien_thoai": "gọi tôi", "email": "mai@", "ho_ten": "Mai"})  # fmt: skip
    page = reply.content.decode()
    for field in ("don_vi", "loai", "noi_dung", "bien_nhan", "dien_thoai", "email"):
        assert f'id="{field}-error"' in page, field
    assert 'id="ho_ten-error"' not in page and 'value="Mai"' in page
    assert 'href="#noi_dung">Nội dung phản ánh đang để trống</a>' in page
    assert not Case.objects.exists()


def test_an_unknown_tracking_code_is_a_clear_404(client: Client) -> None:
    reply = client.get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z")
    assert reply.status_code == 404
    assert "Không có phản ánh nào với mã tra cứu này" in reply.content.decode()


def test_staff_see_only_their_units_and_clerks_nothing(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    mine = case_submit(unit=wards[0], kind="complaint", text="Chờ lâu, gọi chị Lan 0912345678")
    theirs = case_submit(unit=wards[1], kind="suggestion", text="Nên có thêm ghế")
    client.force_login(staff["manager"])
    listing = client.get("/can-bo/phan-anh/").content.decode()
    assert mine.code in listing and theirs.code not in listing
    assert client.get(f"/can-bo/phan-anh/{theirs.pk}/").status_code == 404
    Case.objects.filter(pk=mine.pk).update(factors=["F3"], tone="neutral")
    page = client.get(f"/can-bo/phan-anh/{mine.pk}/").content.decode()
    assert "0912345678" in page  # the owning unit reads the text whole
    assert "F3 – Công chức trực tiếp giải quyết công việc · Trung tính" in page  # words, not codes
    assert "Trạng thái trước" in page and "Từ ngày" not in page
    reply = client.post(f"/can-bo/phan-anh/{theirs.pk}/", {"buoc": "bat-dau"})
    assert reply.status_code == 404
    client.post(f"/can-bo/phan-anh/{mine.pk}/", {"buoc": "tra-loi", "tra_loi": "Sớm quá"})
    assert Case.objects.get(pk=mine.pk).status == "assigned"  # out of order: nothing changed
    for who in ("clerk", "viewer"):
        client.force_login(staff[who])
        assert client.get("/can-bo/phan-anh/").status_code == 403
    client.force_login(staff["auditor"])
    page = client.get(f"/can-bo/phan-anh/{mine.pk}/").content.decode()
    assert "0912345678" not in page and "Bắt đầu xử lý" not in page
    client.force_login(staff["coordinator"])
    listing = client.get("/can-bo/phan-anh/").content.decode()
    assert mine.code in listing and theirs.code in listing


def test_a_coordinator_turns_a_negative_answer_with_a_comment_into_a_case(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    happy = answer(wards[0], {"tong_the": 5, "y_kien": "Rất tốt"})
    silent = answer(wards[0], {"tong_the": 1})
    unhappy = answer(wards[0], {"tong_the": 2, "y_kien": "Cán bộ không hướng dẫn"})
    for response in (happy, silent):
        with pytest.raises(CaseRefused, match="not satisfied and has a comment"):
            case_from_response(actor=staff["coordinator"], receipt=response.receipt)
    with pytest.raises(CaseRefused, match="only a coordinator"):
        case_from_response(actor=staff["manager"], receipt=unhappy.receipt)
    case = case_from_response(actor=staff["coordinator"], receipt=unhappy.receipt)
    assert case.response == unhappy and case.text == "Cán bộ không hướng dẫn"
    assert case.events.filter(action="from_answer", actor=staff["coordinator"]).exists()
    with pytest.raises(CaseRefused, match="already"):
        case_from_response(actor=staff["coordinator"], receipt=unhappy.receipt)


def test_the_unit_figures_show_beside_the_results(wards: tuple[Unit, Unit]) -> None:
    case_submit(unit=wards[0], kind="complaint", text="Chậm")
    html = Template('{% include "cases/unit_stats.html" %}').render(Context({"unit": wards[0]}))
    assert 'Số phản ánh đã tiếp nhận</th><td class="num">1<' in html
    assert "<caption>" in html
    empty = Template('{% include "cases/unit_stats.html" %}').render(Context({"unit": wards[1]}))
    assert "<table" not in empty


def test_the_staff_home_lists_the_case_screen_for_those_who_may_open_it(
    client: Client, staff: dict[str, User]
) -> None:
    for who, shown in [("manager", True), ("coordinator", True), ("auditor", True),
                       ("clerk", False), ("viewer", False)]:  # fmt: skip
        client.force_login(staff[who])
        assert ('href="/can-bo/phan-anh/"' in client.get("/can-bo/").content.decode()) == shown


def test_the_tick_command_escalates_and_says_how_many(wards: tuple[Unit, Unit]) -> None:
    from io import StringIO

    from django.core.management import call_command

    case_submit(
        unit=wards[0], kind="complaint", text="Chậm", now=timezone.now() - dt.timedelta(days=40)
    )
    out = StringIO()
    call_command("cases", "tick", stdout=out)
    assert "escalated 1" in out.getvalue()
    assert Case.objects.get().escalated_at is not None


def test_the_sender_agrees_on_the_tracking_page_and_the_answer_is_published_masked(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    from hailong.cases.services import case_answer, case_consent, case_start

    case = case_submit(unit=wards[0], kind="complaint", text="Gọi tôi 0912345678, chờ 2 giờ")
    case = case_start(actor=staff["manager"], case=case)
    case = case_answer(actor=staff["manager"], case=case, answer="Đã bố trí thêm quầy")
    case_consent(case=case, side="unit", agree=True, actor=staff["manager"])
    assert "Đã bố trí thêm quầy" not in client.get("/gop-y/cong-khai/").content.decode()
    reply = client.post("/gop-y/tra-cuu/", {"ma": case.code, "buoc": "dong-y", "dong_y": "1"})
    assert reply.status_code == 302
    page = client.get("/gop-y/cong-khai/").content.decode()
    assert "Đã bố trí thêm quầy" in page and "0912345678" not in page and case.code not in page
    client.post("/gop-y/tra-cuu/", {"ma": case.code, "buoc": "dong-y", "dong_y": "0"})
    assert "Đã bố trí thêm quầy" not in client.get("/gop-y/cong-khai/").content.decode()


def test_tracking_lookups_are_rate_limited_per_address(client: Client, settings: Any) -> None:
    """A script trying codes one after another is stopped with 429; other people are not."""
    settings.HAILONG_TRACK_PER_MINUTE, settings.HAILONG_TRACK_BURST = 1, 3
    for _ in range(3):
        assert client.get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z").status_code == 404
    refused = client.get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Quá nhiều lượt tra cứu từ cùng một địa chỉ" in refused.content.decode()
    assert "Không có phản ánh nào" not in refused.content.decode()  # nothing about the code
    english = client.get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and "Too many lookups" in english.content.decode()
    assert client.post("/gop-y/tra-cuu/", {"ma": "PA-0000-0000-Z"}).status_code == 429
    assert client.get("/gop-y/tra-cuu/").status_code == 200  # the empty page is not a lookup
    other = client.get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 404


def test_tracking_lookups_are_counted_across_processes_through_redis(
    settings: Any,
) -> None:
    """With HAILONG_REDIS_URL every process and node shares one count per address."""
    import os
    import secrets
    import time

    from hailong.collection.lookups import lookup_limiter_reset

    settings.HAILONG_REDIS_URL = os.environ.get(
        "HAILONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
    )
    settings.HAILONG_TRACK_PER_MINUTE, settings.HAILONG_TRACK_BURST = 2, 1
    while True:  # the shared count is per clock minute: again if the minute turned meanwhile
        minute = int(time.time() // 60)
        address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # a fresh count
        statuses = []
        for _ in range(4):
            lookup_limiter_reset()  # another process: nothing counted in this one
            reply = Client().get("/gop-y/tra-cuu/?ma=PA-0000-0000-Z", REMOTE_ADDR=address)
            statuses.append(reply.status_code)
        if int(time.time() // 60) == minute:
            break
    assert statuses == [404, 404, 404, 429]


def test_a_refused_answer_or_reason_comes_back_with_what_was_typed(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User], settings: Any
) -> None:
    from hailong.cases.services import case_answer, case_start

    settings.HAILONG_CASE_TEXT_MAX = 50
    case = case_start(actor=staff["manager"], case=case_submit(unit=wards[0], kind="complaint",
                                                               text="Chậm"))  # fmt: skip
    client.force_login(staff["manager"])
    long = "Kính gửi Ông/Bà, đơn vị đã xem xét kỹ và xin trả lời như sau: <b>chờ</b>"
    reply = client.post(f"/can-bo/phan-anh/{case.pk}/", {"buoc": "tra-loi", "tra_loi": long})
    page = reply.content.decode()
    assert reply.status_code == 422 and "quá giới hạn 50 ký tự" in page
    assert "đơn vị đã xem xét kỹ và xin trả lời như sau: &lt;b&gt;chờ&lt;/b&gt;</textarea>" in page
    assert 'maxlength="50"' in page and Case.objects.get(pk=case.pk).answer == ""

    case_answer(actor=staff["manager"], case=case, answer="Đã xong.\nLiên hệ 0237 3852 111.")
    client.logout()
    reason = "Vẫn chưa nhận được giấy tờ, đã hỏi lại ba lần mà vẫn chưa có ai trả lời"
    reply = client.post("/gop-y/tra-cuu/", {"ma": case.code, "buoc": "mo-lai", "ly_do": reason})
    page = reply.content.decode()
    assert reply.status_code == 422 and f">{reason}</textarea>" in page
    assert Case.objects.get(pk=case.pk).status == "answered"
    assert reply["Referrer-Policy"] == "same-origin"
    # the sender reads the unit's letter as written, its lines and its telephone number kept
    assert "Đã xong.\nLiên hệ 0237 3852 111." in page


def test_a_published_answer_is_masked_line_by_line(
    wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    from hailong.cases.selectors import masked

    assert masked("Kính gửi chị Trần Mai,\n\nGọi 0912 345 678.") == (
        "Kính gửi chị [tên],\n\nGọi [số điện thoại]."
    )
    # a name or a number that runs over a line break is hidden too
    assert masked("Liên hệ anh\nTrần Văn Bình") == "Liên hệ anh\n[tên]"
    assert masked("sđt 0912\n345 678") == "sđt [số điện thoại]"


@given(st.lists(st.sampled_from(["chị", "Trần", "Mai", "0912", "345", "678", "gọi", "a@b.vn",
                                  ",", " ", "\n", "\n\n", "  "]), max_size=30))  # fmt: skip
def test_the_masked_words_are_always_those_of_the_whole_text_masked(parts: list[str]) -> None:
    from hailong.cases.selectors import masked
    from hailong.comments.mask import mask

    text = "".join(parts)
    assert masked(text).split() == mask(text).text.split()


def test_a_receipt_checked_on_the_complaint_form_counts_as_a_lookup(
    client: Client, wards: tuple[Unit, Unit], settings: Any
) -> None:
    """The form says whether a receipt exists and whose unit it is: not an unlimited oracle."""
    settings.HAILONG_TRACK_BURST, settings.HAILONG_TRACK_PER_MINUTE = 2, 1
    sent = {"don_vi": "14797", "loai": "complaint", "noi_dung": "Chờ lâu", "bien_nhan": ""}
    for n in range(2):
        guess = {**sent, "bien_nhan": receipt_new(2026)}
        assert client.post("/gop-y/", guess).status_code == 400, n  # "no such answer"
    refused = client.post("/gop-y/", {**sent, "bien_nhan": receipt_new(2026)})
    assert refused.status_code == 429 and "Chờ lâu" in refused.content.decode()
    assert client.post("/gop-y/", sent).status_code == 302  # without a receipt: not a lookup
