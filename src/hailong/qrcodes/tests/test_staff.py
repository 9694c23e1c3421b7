from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User

from .conftest import Place


def text_of(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "doc.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_staff_screens_need_a_sign_in(client: Client, place: Place) -> None:
    response = client.get("/quan-tri/ma-qr/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next=")
    assert client.get("/quan-tri/ma-qr/14797/ap-phich.pdf").status_code == 302


def test_a_unit_manager_sees_and_prints_only_their_unit(client: Client, place: Place) -> None:
    client.force_login(place.manager)
    listing = client.get("/quan-tri/ma-qr/").content.decode()
    assert "Phường Hạc Thành" in listing and "Sở Tài chính" not in listing
    page = client.get("/quan-tri/ma-qr/14797/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quầy số 1 – Hộ tịch" in html and "Đăng ký khai sinh" in html
    assert "http://testserver/q/" in html
    assert client.get("/quan-tri/ma-qr/14797/ap-phich.pdf").status_code == 200
    for url in (
        "/quan-tri/ma-qr/STC/",
        "/quan-tri/ma-qr/STC/ap-phich.pdf",
        "/quan-tri/ma-qr/STC/phieu.pdf",
        "/quan-tri/ma-qr/in/ap-phich.pdf?don-vi=14797&don-vi=STC",
        "/quan-tri/ma-qr/in/phieu.pdf?don-vi=STC",
    ):
        assert client.get(url).status_code == 403, url


def test_roles_that_do_not_print_see_no_unit(client: Client, place: Place) -> None:
    viewer = User.objects.create_user("viewer", password="x" * 12)
    RoleAssignment.objects.create(user=viewer, role=Role.VIEWER, unit=None)
    client.force_login(viewer)
    page = client.get("/quan-tri/ma-qr/").content.decode()
    assert "Phường Hạc Thành" not in page and "chưa được giao đơn vị nào" in page
    refused = client.get("/quan-tri/ma-qr/14797/")
    assert refused.status_code == 403
    page = refused.content.decode()  # the staff refusal page, not Django's bare one
    assert "Không được phép" in page and "Bạn không có quyền" in page and "not allowed" not in page
    assert 'href="/can-bo/"' in page or "Trang cán bộ" in page


def test_procedures_can_be_searched(client: Client, place: Place) -> None:
    client.force_login(place.manager)
    html = client.get("/quan-tri/ma-qr/14797/", {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in html and "Đăng ký đất đai" not in html
    assert "1.004227" in client.get("/quan-tri/ma-qr/14797/", {"q": "1.004"}).content.decode()


def test_unknown_procedure_or_desk_on_a_poster_is_not_found(client: Client, place: Place) -> None:
    client.force_login(place.manager)
    base = "/quan-tri/ma-qr/14797/ap-phich.pdf"
    assert client.get(base, {"thu-tuc": "9.999999"}).status_code == 404
    assert client.get(base, {"quay": "quay-7"}).status_code == 404
    assert client.get(base, {"thu-tuc": "1.001193", "quay": "quay-1"}).status_code == 200


def test_admin_actions_hand_the_selected_units_to_the_printing_screens(
    client: Client, place: Place, tmp_path: Path
) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    for action, route in (("print_qr_posters", "ap-phich"), ("print_qr_slips", "phieu")):
        response = client.post(
            "/quan-tri/units/unit/",
            {"action": action, "_selected_action": [place.ward.pk, place.other.pk]},
        )
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith(f"/quan-tri/ma-qr/in/{route}.pdf?")
        assert "don-vi=14797" in location and "don-vi=STC" in location
        pdf = client.get(location)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = text_of(pdf.content, tmp_path)
        assert "Phường Hạc Thành" in text and "Sở Tài chính" in text


def test_too_many_or_no_units_are_refused_in_both_languages(client: Client, place: Place) -> None:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    response = client.get("/quan-tri/ma-qr/in/ap-phich.pdf")
    assert response.status_code == 400
    assert "Hãy chọn từ 1 đến 300 đơn vị" in response.content.decode()
    assert "Choose between 1 and 300 units" in response.content.decode()
    many = client.get("/quan-tri/ma-qr/in/phieu.pdf", {"don-vi": ["14797"] * 301})
    assert many.status_code == 400


@pytest.mark.parametrize("by_desk", [False, True])
def test_the_command_writes_posters_and_slips(
    place: Place, tmp_path: Path, settings, capsys: pytest.CaptureFixture[str], by_desk: bool
) -> None:
    settings.HAILONG_PUBLIC_URL = "https://hailong.thanhhoa.gov.vn/"
    args = ["14797", "--poster", str(tmp_path / "p.pdf"), "--slips", str(tmp_path / "s.pdf")]
    call_command("qrcodes", *args, *(["--by-desk"] if by_desk else []))
    assert capsys.readouterr().out.startswith("https://hailong.thanhhoa.gov.vn/q/")
    assert "Phường Hạc Thành" in text_of((tmp_path / "p.pdf").read_bytes(), tmp_path)
    slips = text_of((tmp_path / "s.pdf").read_bytes(), tmp_path)
    assert ("Quầy số 1" in slips) is by_desk and ("Đăng ký khai sinh" in slips) is not by_desk


def test_the_command_names_what_is_wrong(place: Place, settings) -> None:
    from django.core.management.base import CommandError

    settings.HAILONG_PUBLIC_URL = ""
    with pytest.raises(CommandError, match="HAILONG_PUBLIC_URL"):
        call_command("qrcodes", "14797")
    with pytest.raises(CommandError, match="no unit with code 'XYZ'"):
        call_command("qrcodes", "XYZ", "--base-url", "https://x.vn")
    with pytest.raises(CommandError, match="does not deliver procedure"):
        call_command("qrcodes", "STC", "--service", "1.001193", "--base-url", "https://x.vn")
    with pytest.raises(CommandError, match=r"--base-url='x\.vn' .* a phone can open"):
        call_command("qrcodes", "14797", "--base-url", "x.vn")  # no scheme: scanned as text


def test_the_unit_admin_page_links_to_its_codes_and_edits_desks(
    client: Client, place: Place
) -> None:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    html = client.get(f"/quan-tri/units/unit/{place.ward.pk}/change/").content.decode()
    assert 'href="/quan-tri/ma-qr/14797/"' in html
    assert "Quầy số 1 – Hộ tịch" in html and 'name="desks-0-code"' in html
