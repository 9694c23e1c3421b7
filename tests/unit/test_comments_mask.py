"""Masking personal data in comments: what is masked, and what only looks like it."""

from __future__ import annotations

import pytest

from hailong.comments import mask


@pytest.mark.parametrize(
    ("text", "masked", "found"),
    [
        ("Gọi 0912345678 nhé", "Gọi [số điện thoại] nhé", ["phone"]),
        ("SĐT 0912 345 678.", "SĐT [số điện thoại].", ["phone"]),
        ("sđt: 0912.345.678", "sđt: [số điện thoại]", ["phone"]),
        ("+84 912 345 678", "[số điện thoại]", ["phone"]),
        ("(+84)912-345-678", "[số điện thoại]", ["phone"]),
        ("84912345678", "[số điện thoại]", ["phone"]),
        ("bàn 0237 3852 123", "bàn [số điện thoại]", ["phone"]),
        ("CCCD 038190001234", "CCCD [số giấy tờ]", ["id"]),
        ("CMND số 172345678 cấp năm 2010", "CMND số [số giấy tờ] cấp năm 2010", ["id"]),
        ("thư nguyen.van.a@gmail.com", "thư [email]", ["email"]),
        ("chị Nguyễn Thị Lan ở quầy 3", "chị [tên] ở quầy 3", ["name"]),
        ("Cảm ơn anh Hùng và cô Mai", "Cảm ơn anh [tên] và cô [tên]", ["name", "name"]),
        ("Bà Lê Thị Hoa nhiệt tình", "Bà [tên] nhiệt tình", ["name"]),
        # look-alikes that stay
        ("ông bà tôi đi làm giấy tờ", "ông bà tôi đi làm giấy tờ", []),
        ("Anh cán bộ rất tốt", "Anh cán bộ rất tốt", []),
        ("nộp ngày 12/05/2024, hẹn 19/05/2024", "nộp ngày 12/05/2024, hẹn 19/05/2024", []),
        ("Hồ sơ H38.99-241120-0001 đã xong", "Hồ sơ H38.99-241120-0001 đã xong", []),
        ("lệ phí 1.500.000 đồng", "lệ phí 1.500.000 đồng", []),
        ("nộp 2000000000 đồng tiền sử dụng đất", "nộp 2000000000 đồng tiền sử dụng đất", []),
        ("số 0123456", "số 0123456", []),
        ("gọi 1900 1234 không được", "gọi 1900 1234 không được", []),
    ],
)
def test_mask(text: str, masked: str, found: list[str]) -> None:
    result = mask(text)
    assert (result.text, result.found) == (masked, found)
