"""File names of downloads: ASCII names as they are, Vietnamese names twice (RFC 6266/5987)."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpResponse

from hailong.core.downloads import attachment, content_disposition


def test_a_plain_ascii_name_goes_as_it_is() -> None:
    assert content_disposition("ma-qr-14797-1.001193.svg") == (
        'attachment; filename="ma-qr-14797-1.001193.svg"'
    )


def test_a_vietnamese_name_with_spaces_keeps_its_letters_and_has_an_ascii_fallback() -> None:
    name = "Báo cáo kết quả khảo sát Đồng Hới 2025.pdf"
    header = content_disposition(name)
    fallback, encoded = header.split("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="bao-cao-ket-qua-khao-sat-dong-hoi-2025.pdf"'
    assert header.isascii() and " " not in encoded and unquote(encoded) == name


def test_quotes_and_line_breaks_cannot_break_the_header() -> None:
    header = content_disposition('a"b\r\nSet-Cookie: x=1;.csv')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


def test_attachment_sets_the_header_and_returns_the_response() -> None:
    response = HttpResponse(b"x", content_type="text/csv")
    assert attachment(response, "Bảng kết quả.xlsx") is response
    assert response["Content-Disposition"].startswith('attachment; filename="bang-ket-qua.xlsx"')
