"""The public unit lists read in Vietnamese alphabetical order, with Thanh Hóa's real units."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hailong.core.text import vietnamese_sort_key
from hailong.demo.services import structure_load

pytestmark = pytest.mark.django_db


def in_vietnamese_order(names: list[str]) -> bool:
    keys = [vietnamese_sort_key(n) for n in names]
    return keys == sorted(keys)


def test_the_directory_lists_each_kind_in_vietnamese_order(client: Client) -> None:
    structure_load()
    page = client.get("/don-vi/").content.decode()
    groups = {
        m.group(1): re.findall(r"<li>([^<]+?) <span class=\"code\">", m.group(2))
        for m in re.finditer(r"<summary>(\w+) \(\d+\)</summary>(.*?)</details>", page, re.S)
    }
    communes = groups["Xã"]
    assert len(communes) == 147 and in_vietnamese_order(communes)
    assert communes != sorted(communes)  # code point order would differ
    assert communes.index("Xã Hà Long") < communes.index("Xã Hoằng Tiến")
    assert communes.index("Xã Công Chính") < communes.index("Xã Đông Thành")
    assert communes.index("Xã Đông Thành") < communes.index("Xã Giao An")  # Đ between C… and G…
    assert in_vietnamese_order(groups["Phường"])
