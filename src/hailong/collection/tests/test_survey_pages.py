"""The public survey pages, screen by screen, without JavaScript (Django's test client)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from hailong.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def fields_of(html: str) -> dict[str, list[str]]:
    """The hidden and checked fields a browser would send back."""
    out: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="hidden"' in tag or " checked" in tag):
            out.setdefault(name.group(1), []).append(value.group(1).replace("&amp;", "&"))
    return out


def test_the_start_page_finds_units_without_accents(
    open_campaign: Campaign, client: Client
) -> None:
    page = client.get("/khao-sat/").content.decode()
    assert "Phường Hạc Thành" in page and "Xã ngoài đợt" not in page
    found = client.get("/khao-sat/", {"tim": "hac thanh"}).content.decode()
    assert found.count("don-vi=14797") >= 2  # in the results and in the lists
    services = client.get("/khao-sat/", {"don-vi": "14797"}).content.decode()
    assert "Đăng ký khai sinh" in services and "thu-tuc=1.001193" in services


def test_a_respondent_answers_screen_by_screen(open_campaign: Campaign, client: Client) -> None:
    first = client.get("/khao-sat/phieu/", {"don-vi": "14797", "thu-tuc": "1.001193"})
    html = first.content.decode()
    assert first.status_code == 200 and "Đăng ký khai sinh" in html
    assert 'action="/gui-phieu/"' in html  # the desk form has one screen: it posts to the route
    assert 'name="website"' in html and "Bước 1/1" in html
    assert "Tối đa 2.000 ký tự." in html  # the comment box says where it stops


def test_a_long_questionnaire_goes_screen_by_screen_with_skip_rules(
    open_campaign: Campaign, client: Client
) -> None:
    from hailong.instruments.models import InstrumentVersion

    Campaign.objects.filter(pk=open_campaign.pk).update(
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province")
    )
    html = client.get("/khao-sat/phieu/", {"don-vi": "14797"}).content.decode()
    screens = 0
    while 'action="/gui-phieu/"' not in html:
        screens += 1
        assert f"Bước {screens}/7" in html
        asked = set(re.findall(r'<input type="radio" name="([^"]+)"', html))
        sent = fields_of(html)
        for code in asked:
            options = re.findall(rf'name="{code}" value="(\d+)"', html)
            sent[code] = ["2" if code == "gave_feedback" else options[0]]
        html = client.post("/khao-sat/phieu/", {**sent, "_go": "next"}).content.decode()
        assert 'id="errors"' not in html, html
    assert screens == 6
    # "gave feedback: no" (2) hides the factor 5 questions that depend on it
    assert 'name="f5_1"' not in html.split("<h1>")[1] or "f5_1" not in fields_of(html)
    back = client.post("/khao-sat/phieu/", {**fields_of(html), "_go": "back"}).content.decode()
    assert "Bước 6/7" in back


def test_missing_required_answers_are_named_and_answers_kept(
    open_campaign: Campaign, client: Client
) -> None:
    html = client.get("/khao-sat/phieu/", {"don-vi": "14797"}).content.decode()
    sent = {**fields_of(html), "tiep_can": ["4"], "_go": ["next"]}
    again = client.post("/khao-sat/phieu/", sent).content.decode()
    assert 'id="errors"' in again and "tong_the" in again
    assert re.search(r'name="tiep_can" value="4" checked', again)


def test_switching_language_keeps_the_answers(open_campaign: Campaign, client: Client) -> None:
    html = client.get("/khao-sat/phieu/", {"don-vi": "14797"}).content.decode()
    sent = {**fields_of(html), "tiep_can": ["2"], "_go": ["lang-en"]}
    english = client.post("/khao-sat/phieu/", sent).content.decode()
    assert '<html lang="en">' in english and "Overall, how satisfied" in english
    assert re.search(r'name="tiep_can" value="2" checked', english)


def test_a_damaged_token_or_unknown_unit_is_explained(
    open_campaign: Campaign, client: Client
) -> None:
    bad = client.post("/khao-sat/phieu/", {"_token": "xyz.abc", "_go": "next"})
    assert bad.status_code == 403 and "hỏng" in bad.content.decode()
    unknown = client.get("/khao-sat/phieu/", {"don-vi": "00000"})
    assert unknown.status_code == 404 and "Chọn cơ quan" in unknown.content.decode()


def test_the_thank_you_page_needs_a_real_receipt(open_campaign: Campaign, client: Client) -> None:
    assert client.get("/cam-on/2024-AAAA-AAAA-0/").status_code == 404


@pytest.mark.parametrize("symbol", ["*", "~", "$", "="])
def test_a_receipt_made_before_november_2026_opens_though_escaped_in_the_link(
    open_campaign: Campaign, client: Client, symbol: str
) -> None:
    """The route sends ``/cam-on/<quoted receipt>/``; 4 of the old 37 check symbols get escaped."""
    from urllib.parse import quote

    from django.utils import timezone

    from hailong.collection.models import Response
    from hailong.collection.receipts import MOD37, receipt_normalise
    from hailong.units.models import Unit

    value = MOD37.index(symbol)  # the 8 body symbols "000000XY" encode a value ≡ index (mod 37)
    body = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(value >> s) & 31] for s in range(35, -1, -5))
    receipt = receipt_normalise(f"{open_campaign.year}-{body[:4]}-{body[4:]}-{symbol}")
    assert receipt is not None
    Response.objects.create(
        receipt=receipt, idempotency_key=f"k{value}", campaign=open_campaign,
        instrument=open_campaign.instrument, unit=Unit.objects.get(code="14797"), source="web",
        collection_mode="online", submitted_at=timezone.now(), answers={"tong_the": 5},
    )  # fmt: skip
    page = client.get(f"/cam-on/{quote(receipt)}/")
    assert page.status_code == 200 and receipt in page.content.decode()


def test_the_first_screen_is_light(open_campaign: Campaign, client: Client) -> None:
    import gzip
    from pathlib import Path

    import hailong

    page = client.get("/khao-sat/").content
    static = Path(hailong.__file__).parent
    css = (static / "core/static/core/site.css").read_bytes()
    assert len(gzip.compress(page)) + len(gzip.compress(css)) <= 30 * 1024


@pytest.mark.django_db(transaction=True)
def test_an_invitation_code_is_answered_once_and_marks_the_answer_verified(
    open_campaign: Campaign, client: Client, intake: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from hailong.collection.models import Response
    from hailong.invitations.selectors import InvitationRefused, invitation_check
    from hailong.invitations.services import invitations_create

    done = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    row = {"file_number": "H38.99-241120-0001", "unit_code": "14797", "service_code": "1.001193",
           "completed_on": done}  # fmt: skip
    (code,) = invitations_create(campaign=open_campaign, rows=[(2, row)])
    html = client.get("/khao-sat/phieu/", {"ma": code.code.lower()}).content.decode()
    assert "Đăng ký khai sinh" in html  # the code says which unit and procedure
    fields = {**fields_of(html), "tong_the": ["5"], "website": [""]}
    first = intake.form(fields)
    assert first.status == 303
    stored = Response.objects.get()
    assert stored.verified and stored.invitation == code.code
    with pytest.raises(InvitationRefused) as refused:
        invitation_check(code.code, today=timezone.localdate())
    assert refused.value.reason == "used"
    page = client.get("/khao-sat/phieu/", {"ma": code.code})
    assert page.status_code == 404 and "đã được dùng" in page.content.decode()
    mistyped = client.get("/khao-sat/phieu/", {"ma": code.code[:-1] + "*"}).content.decode()
    assert 'name="ma" value="' + code.code[:-1] + '*"' in mistyped  # typed again right here
    assert "Nhập lại mã mời" in mistyped
    # a second form opened before the first was sent cannot use the code again
    fields["_token"] = fields_of(html)["_token"][:1]
    fields["tong_the"] = ["1"]
    from hailong.collection.integrity import token_read, token_sign

    token = token_read(fields["_token"][0])
    other = type(token)(**{**token.__dict__, "key": "web-another-form-0001"})
    second = intake.form({**fields, "_token": [token_sign(other)]})
    assert second.status == 409 and "đã được dùng" in second.body.decode()
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_qr_code_at_a_desk_opens_the_form_for_that_desk(
    open_campaign: Campaign, client: Client, intake: Any
) -> None:
    from hailong.collection.models import Response
    from hailong.qrcodes.links import link_make
    from hailong.units.models import Desk, Service, Unit

    ward = Unit.objects.get(code="14797")
    desk = Desk.objects.create(unit=ward, code="quay-2", name="Quầy số 2")
    path = link_make(unit=ward, service=Service.objects.get(code="1.001193"), desk=desk)
    hop = client.get(path)
    assert hop.status_code == 302
    hop = client.get(hop["Location"])
    assert hop.status_code == 302 and "/khao-sat/phieu/" in hop["Location"]
    html = client.get(hop["Location"]).content.decode()
    assert "Phường Hạc Thành" in html and "Đăng ký khai sinh" in html
    sent = intake.form({**fields_of(html), "tong_the": ["4"], "website": [""]})
    assert sent.status == 303
    stored = Response.objects.get()
    assert (stored.source, stored.collection_mode, stored.desk) == ("qr", "desk_qr", desk)
    broken = client.get("/khao-sat/phieu/", {"lien": path.split("/")[-1][:-2] + "xx"})
    assert broken.status_code == 404


def test_a_retired_unit_is_not_offered_and_its_links_say_why(
    open_campaign: Campaign, client: Client
) -> None:
    """After a merge, the old ward is not offered; its old QR and form links explain it."""
    import datetime as dt

    from django.utils import timezone

    from hailong.invitations.codes import code_new
    from hailong.invitations.models import InvitationCode
    from hailong.qrcodes.links import link_make
    from hailong.units.models import Unit
    from hailong.units.services import units_merge

    ward = Unit.objects.get(code="14797")
    poster = link_make(unit=ward)  # printed before the merge
    slip = InvitationCode.objects.create(
        code=code_new(), campaign=open_campaign, unit=ward, file_number="HS-1",
        completed_on=timezone.localdate(), expires_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    today = timezone.localdate()
    units_merge(actor=None, units=[ward], into=Unit.objects.get(code="14800"),
                valid_from=today, reason="Sáp nhập")  # fmt: skip
    last = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")

    start = client.get("/khao-sat/").content.decode()
    assert "Phường Hạc Thành" not in start and "Phường Quảng Phú" in start
    assert "don-vi=14797" not in client.get("/khao-sat/", {"tim": "hac thanh"}).content.decode()
    old_choice = client.get("/khao-sat/", {"don-vi": "14797"}).content.decode()
    assert "Phường Hạc Thành không còn tồn tại" in old_choice and last in old_choice
    assert "thu-tuc=" not in old_choice  # no procedure list for it; the other units instead
    assert "don-vi=14800" in old_choice

    form = client.get("/khao-sat/phieu/", {"don-vi": "14797"})
    assert form.status_code == 410 and "Phường Hạc Thành không còn tồn tại" in form.content.decode()
    english = client.get("/khao-sat/phieu/", {"don-vi": "14797"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Phường Hạc Thành no longer exists" in english.content.decode()
    scanned = client.get(poster)
    assert scanned.status_code == 404
    assert "Phường Hạc Thành, đơn vị này không còn tồn tại" in scanned.content.decode()
    assert last in scanned.content.decode()
    invited = client.get("/khao-sat/phieu/", {"ma": slip.code})
    assert invited.status_code == 410 and "Phường Hạc Thành không còn tồn tại" in invited.text
    assert client.get("/khao-sat/phieu/", {"don-vi": "14800"}).status_code == 200


def test_the_year_s_survey_comes_first_and_says_how_long_it_takes(
    open_campaign: Campaign, client: Client
) -> None:
    from hailong.campaigns.models import CampaignUnit
    from hailong.instruments.models import InstrumentVersion

    survey = Campaign.objects.create(
        code="sipas-nay", name="Khảo sát năm nay", year=open_campaign.year,
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
        period_start=open_campaign.period_start, period_end=open_campaign.period_end,
        status=Campaign.Status.OPEN, channels=["web", "qr"],
    )  # fmt: skip
    for scope in open_campaign.scope.all():
        CampaignUnit.objects.create(campaign=survey, unit=scope.unit, quota=100)
    page = client.get("/khao-sat/").content.decode()
    assert "<h1>Khảo sát năm nay</h1>" in page and "Khoảng 5 phút" in page  # not "quay-nay"
    desk = client.get("/khao-sat/?dot=quay-nay").content.decode()
    assert "<h1>Đánh giá tại quầy</h1>" in desk and "Khoảng 1 phút" in desk


def test_a_receipt_is_checked_on_its_own_page_without_showing_the_answers(
    open_campaign: Campaign, client: Client, settings: Any
) -> None:
    from django.utils import timezone

    from hailong.collection.lookups import lookup_limiter_reset
    from hailong.collection.models import Response
    from hailong.collection.receipts import receipt_new
    from hailong.units.models import Unit

    lookup_limiter_reset()
    ward = Unit.objects.get(code="14797")
    stored = {
        review: Response.objects.create(
            receipt=receipt_new(open_campaign.year),
            idempotency_key=f"k-{review}",
            campaign=open_campaign,
            instrument=open_campaign.instrument,
            unit=ward,
            source="web",
            collection_mode="online",
            submitted_at=timezone.now(),
            review=review,
            answers={"tong_the": 5, "y_kien": "Cán bộ Nguyễn Văn Bình rất tận tình"},
        )
        for review in ("accepted", "flagged", "rejected")
    }
    assert "/bien-nhan/" in client.get("/").content.decode()  # linked from every page
    typed = stored["accepted"].receipt.lower().replace("-", " ")
    page = client.get("/bien-nhan/", {"so": typed})
    text = page.content.decode()
    assert page.status_code == 200 and stored["accepted"].receipt in text
    assert "Phường Hạc Thành" in text and "khi đợt khảo sát kết thúc" in text
    flagged = client.get("/bien-nhan/", {"so": stored["flagged"].receipt}).content.decode()
    assert "đang chờ" not in flagged  # no verdict of the checks while answers come in
    Campaign.objects.filter(pk=open_campaign.pk).update(status=Campaign.Status.CLOSED)
    text = client.get("/bien-nhan/", {"so": typed}).content.decode()
    assert "được tính vào kết quả" in text
    assert "Nguyễn Văn Bình" not in text and page["Cache-Control"] == "no-store"
    assert (
        "đang chờ" in client.get("/bien-nhan/", {"so": stored["flagged"].receipt}).content.decode()
    )
    assert (
        "đã loại" in client.get("/bien-nhan/", {"so": stored["rejected"].receipt}).content.decode()
    )
    receipt = stored["accepted"].receipt
    mistyped = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    wrong = client.get("/bien-nhan/", {"so": mistyped})
    assert wrong.status_code == 422 and "so từng ký tự" in wrong.content.decode()
    assert mistyped in wrong.content.decode()  # what was typed stays in the box
    unknown = client.get("/bien-nhan/", {"so": receipt_new(open_campaign.year)})
    assert unknown.status_code == 404 and "Không có câu trả lời nào" in unknown.content.decode()
    assert client.get("/bien-nhan/").status_code == 200
    settings.HAILONG_TRACK_BURST, settings.HAILONG_TRACK_PER_MINUTE = 2, 1
    codes = [client.get("/bien-nhan/", {"so": receipt}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_thank_you_page_is_free_right_after_the_answer_and_a_lookup_otherwise(
    open_campaign: Campaign, client: Client, intake: Any, settings: Any
) -> None:
    """Many people answer from one office's address; someone trying receipts is counted."""
    from hailong.collection.integrity import receipt_pass, receipt_pass_holds
    from hailong.collection.lookups import lookup_limiter_reset

    lookup_limiter_reset()
    settings.HAILONG_TRACK_BURST, settings.HAILONG_TRACK_PER_MINUTE = 1, 1
    for i in range(3):  # three answers from one address, each thank-you page shown
        html = client.get("/khao-sat/phieu/", {"don-vi": "14797"}).content.decode()
        sent = intake.form({**fields_of(html), "tong_the": [str(3 + i % 3)], "website": [""]})
        assert sent.status == 303 and "?p=" in sent.headers["location"]
        assert client.get(sent.headers["location"]).status_code == 200
    receipt = sent.headers["location"].split("/")[2]
    bare = [client.get(f"/cam-on/{receipt}/").status_code for _ in range(2)]
    assert bare == [200, 429]  # typed or shared without the pass: a counted lookup
    forged = client.get(f"/cam-on/{receipt}/?p=1.AAAA").status_code
    stale = receipt_pass(receipt, now=1)  # long expired
    assert forged == 429 and not receipt_pass_holds(receipt, stale)
    other = receipt_pass("2026-AAAA-AAAA-AA")  # a pass is for its own receipt only
    assert client.get(f"/cam-on/{receipt}/?p={other}").status_code == 429
