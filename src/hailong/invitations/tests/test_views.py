"""The /m/<code> link, and the back office: upload, preview, create, list, downloads, slips."""

from __future__ import annotations

import datetime as dt

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign
from hailong.invitations.codes import code_display
from hailong.invitations.models import InvitationCode
from hailong.invitations.services import invitations_create
from hailong.units.models import Unit

from .conftest import World

pytestmark = pytest.mark.django_db


def staff(client: Client, role: str, unit: Unit | None) -> User:
    user = User.objects.create_user(f"{role}-{unit.code if unit else 'all'}", password="x" * 12)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client.force_login(user)
    return user


def csv_upload(world: World, *lines: str) -> SimpleUploadedFile:
    day = (world.today - dt.timedelta(days=2)).isoformat()
    body = "file_number,unit_code,service_code,completed_on,expires_on\n" + "".join(
        line.format(day=day) + "\n" for line in lines
    )
    return SimpleUploadedFile("ho-so.csv", body.encode("utf-8"), content_type="text/csv")


# --- /m/<code> -----------------------------------------------------------------------------


def test_a_valid_code_goes_to_the_survey_form(client: Client, world: World) -> None:
    (code,) = invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))])
    response = client.get(f"/m/{code.code}")
    assert response.status_code == 302 and response["Location"] == f"/khao-sat/?ma={code.code}"
    typed = client.get(f"/m/{code_display(code.code).lower()}")
    assert typed["Location"] == f"/khao-sat/?ma={code.code}"


def test_a_used_code_gets_a_page_that_says_when(client: Client, world: World) -> None:
    (code,) = invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))])
    InvitationCode.objects.filter(pk=code.pk).update(used_at=timezone.now())
    response = client.get(f"/m/{code.code}")
    page = response.content.decode()
    assert response.status_code == 410
    assert (
        "Mã này đã được dùng để đánh giá ngày " + timezone.localdate().strftime("%d/%m/%Y") in page
    )
    assert 'href="/khao-sat/"' in page and 'href="/"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/m/{code.code}").content.decode()
    assert "This code was already used to give an answer on" in english


def test_unknown_and_mistyped_codes_get_a_friendly_404(client: Client, world: World) -> None:
    (code,) = invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))])
    wrong = code.code[:-1] + ("0" if code.code[-1] != "0" else "1")
    mistyped = client.get(f"/m/{wrong}")
    assert mistyped.status_code == 404 and "gõ nhầm" in mistyped.content.decode()
    code.delete()
    unknown = client.get(f"/m/{code.code}")
    assert unknown.status_code == 404 and "Không có mã" in unknown.content.decode()
    assert client.get("/m/<script>").content.decode().count("<script>") == 0


def test_an_expired_code_is_gone(client: Client, world: World) -> None:
    (code,) = invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))])
    InvitationCode.objects.filter(pk=code.pk).update(
        completed_on=world.today - dt.timedelta(days=40),
        expires_on=world.today - dt.timedelta(days=1),
    )
    response = client.get(f"/m/{code.code}")
    assert response.status_code == 410 and "đã hết hạn" in response.content.decode()


# --- back office ----------------------------------------------------------------------------


def test_the_back_office_needs_a_signed_in_user_with_a_role(client: Client, world: World) -> None:
    assert client.get("/quan-tri/ma-moi/")["Location"].startswith("/dang-nhap/?next=")
    staff(client, Role.VIEWER, world.a)
    assert client.get("/quan-tri/ma-moi/").status_code == 403
    assert client.get("/quan-tri/ma-moi/tai-len/").status_code == 403


def test_upload_preview_then_create(client: Client, world: World) -> None:
    user = staff(client, Role.CLERK, world.a)
    preview = client.post(
        "/quan-tri/ma-moi/tai-len/",
        {"campaign": world.campaign.pk, "file": csv_upload(world, "H1,14797,1.001193,{day},", "H2,14797,,{day},")},
    )  # fmt: skip
    page = preview.content.decode()
    assert preview.status_code == 200 and "Tạo 2 mã" in page and "Phường Hạc Thành" in page
    assert not InvitationCode.objects.exists()  # a preview writes nothing
    token = preview.context["token"]
    created = client.post("/quan-tri/ma-moi/tao/", {"token": token})
    assert created.status_code == 302
    codes = list(InvitationCode.objects.order_by("file_number"))
    assert [c.file_number for c in codes] == ["H1", "H2"] and codes[0].created_by == user
    listing = client.get(created["Location"]).content.decode()
    assert "Đã tạo 2 mã mới" in listing and code_display(codes[0].code) in listing
    # the token is spent: the same confirmation again creates nothing and says so
    again = client.post("/quan-tri/ma-moi/tao/", {"token": token})
    assert again.status_code == 409 and InvitationCode.objects.count() == 2


def test_a_bad_file_is_refused_whole_with_rows_named(client: Client, world: World) -> None:
    staff(client, Role.COORDINATOR, None)
    response = client.post(
        "/quan-tri/ma-moi/tai-len/",
        {"campaign": world.campaign.pk, "file": csv_upload(world, "H1,14797,,{day},", "H2,99999,,{day},")},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 422 and "unit_code" in page and "99999" in page
    assert "không có đơn vị" in page and "there is no unit" in page
    assert not InvitationCode.objects.exists()


def test_a_clerk_cannot_create_codes_for_another_unit(client: Client, world: World) -> None:
    staff(client, Role.CLERK, world.a)
    response = client.post(
        "/quan-tri/ma-moi/tai-len/",
        {"campaign": world.campaign.pk, "file": csv_upload(world, "H1,14800,,{day},")},
    )
    assert (
        response.status_code == 422 and "không được tạo mã cho đơn vị" in response.content.decode()
    )


def test_an_upload_that_is_not_csv_or_xlsx_is_refused(client: Client, world: World) -> None:
    staff(client, Role.CLERK, world.a)
    bad = SimpleUploadedFile("ho-so.pdf", b"%PDF", content_type="application/pdf")
    response = client.post(
        "/quan-tri/ma-moi/tai-len/", {"campaign": world.campaign.pk, "file": bad}
    )
    assert response.status_code == 422 and ".xlsx" in response.content.decode()


def test_a_closed_campaign_is_not_offered_for_upload(client: Client, world: World) -> None:
    staff(client, Role.CLERK, world.a)
    world.campaign.status = Campaign.Status.CLOSED
    world.campaign.save()
    page = client.get("/quan-tri/ma-moi/tai-len/").content.decode()
    assert world.campaign.name not in page


def test_a_unit_manager_sees_only_the_codes_of_their_units(client: Client, world: World) -> None:
    invitations_create(
        campaign=world.campaign, rows=[(2, world.row("A-1")), (3, world.row("B-1", world.b))]
    )
    staff(client, Role.UNIT_MANAGER, world.a)
    page = client.get("/quan-tri/ma-moi/").content.decode()
    assert "A-1" in page and "B-1" not in page
    assert "B-1" not in client.get("/quan-tri/ma-moi/ma-moi.csv").content.decode()
    assert "B-1" not in client.get(f"/quan-tri/ma-moi/?unit={world.b.pk}").content.decode()


def test_downloads_and_printable_slips(client: Client, world: World, settings: object) -> None:
    settings.HAILONG_PUBLIC_URL = "https://hailong.thanhhoa.gov.vn"  # type: ignore[attr-defined]
    (code,) = invitations_create(
        campaign=world.campaign,
        rows=[(2, world.row("H1", service_code=world.birth.code))],
        batch="lo9",
    )
    staff(client, Role.CLERK, world.a)
    csv_text = client.get("/quan-tri/ma-moi/ma-moi.csv?lo=lo9").content.decode("utf-8-sig")
    header, line = csv_text.splitlines()
    assert header.startswith("code,display,file_number")
    assert f"https://hailong.thanhhoa.gov.vn/m/{code.code}" in line and ",unused," in line
    slips = client.get("/quan-tri/ma-moi/phieu/?lo=lo9").content.decode()
    assert code_display(code.code) in slips and "Đăng ký khai sinh" in slips
    assert "Quét mã QR hoặc vào https://hailong.thanhhoa.gov.vn/khao-sat/ và nhập mã" in slips
    assert "@page" not in slips and "invitations.css" in slips
    expected = segno.make(f"https://hailong.thanhhoa.gov.vn/m/{code.code}", error="m")
    path = expected.svg_inline(scale=1, omitsize=True).split(' d="')[1].split('"')[0]
    assert path in slips  # the QR drawn encodes the link
    template = client.get("/quan-tri/ma-moi/mau.csv").content.decode("utf-8-sig")
    assert template.splitlines()[0] == "file_number,unit_code,service_code,completed_on,expires_on"


def test_the_qr_link_uses_the_request_host_without_a_setting(client: Client, world: World) -> None:
    invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))], batch="lo1")
    staff(client, Role.CLERK, world.a)
    line = client.get("/quan-tri/ma-moi/ma-moi.csv?lo=lo1").content.decode("utf-8-sig")
    assert "http://testserver/m/" in line
