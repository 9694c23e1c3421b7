from __future__ import annotations

import base64

from django.test import Client

from hailong.core.crockford import bytes_decode
from hailong.qrcodes.images import qr_png, qr_svg
from hailong.qrcodes.links import link_make, path_printed

from .conftest import Place


def test_a_scanned_code_opens_the_survey_form_with_its_token(client: Client, place: Place) -> None:
    path = link_make(unit=place.ward, service=place.birth, desk=place.desk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/khao-sat/?lien={path.removeprefix('/q/')}"
    assert "no-cache" in response["Cache-Control"]
    # what a person types (lower case, spaces for dashes, caps lock) and an old
    # poster's base64url token all land on the form with the one token of today's links
    token = path.removeprefix("/q/")
    raw = bytes_decode(token)
    assert raw is not None
    old = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    typed = [path_printed(path).lower(), path_printed(path).replace("-", " "), f"/Q/{token}"]
    for other in (*typed, f"/q/{old}"):
        assert client.get(other)["Location"] == response["Location"], other


def test_a_damaged_code_gets_a_friendly_page_in_vietnamese_then_english(
    client: Client, place: Place
) -> None:
    token = link_make(unit=place.ward).removeprefix("/q/")
    damaged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(f"/q/{damaged}")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Mã QR này không dùng được" in page and "bị hỏng" in page
    assert '<a href="/">' in page  # back to the portal home
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/q/{damaged}").content.decode()
    assert "This QR code cannot be used" in page and "damaged" in page
    assert client.get(f"/q/{damaged}.svg").status_code == 404


def test_the_svg_and_png_encode_the_full_address(client: Client, place: Place, settings) -> None:
    path = link_make(unit=place.ward, desk=place.desk)
    svg = client.get(path + ".svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and b"<path" in svg.content
    expected = f"http://testserver{path}"
    assert svg.content == qr_svg(expected, scale=8, title=expected)
    png = client.get(path + ".png")
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and png.content == qr_png(expected)

    settings.HAILONG_PUBLIC_URL = "https://hailong.thanhhoa.gov.vn"
    public = client.get(path + ".svg").content
    assert public == qr_svg(
        "https://hailong.thanhhoa.gov.vn" + path,
        scale=8,
        title="https://hailong.thanhhoa.gov.vn" + path,
    )
    assert public != svg.content


def test_images_are_cacheable_and_downloadable(client: Client, place: Place) -> None:
    path = link_make(unit=place.ward, service=place.birth)
    first = client.get(path + ".png")
    assert "max-age=86400" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(path + ".png", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(path + ".svg")["ETag"] != first["ETag"]
    download = client.get(path + ".svg?tai=1")
    assert download["Content-Disposition"] == 'attachment; filename="ma-qr-14797-1.001193.svg"'


def test_link_routes_only_read(client: Client, place: Place) -> None:
    path = link_make(unit=place.ward)
    assert client.post(path).status_code == 405
    assert client.post(path + ".svg").status_code == 405
