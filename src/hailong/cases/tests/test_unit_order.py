"""The unit menu of the public complaint form is in Vietnamese alphabetical order."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hailong.core.text import vietnamese_sort_key
from hailong.demo.services import structure_load

pytestmark = pytest.mark.django_db


def test_the_unit_menu_is_in_vietnamese_order(client: Client) -> None:
    structure_load()
    page = client.get("/gop-y/").content.decode()
    menu = re.search(r'<select id="don_vi".*?</select>', page, re.S)
    assert menu is not None
    names = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', menu.group(0))
    assert len(names) > 170  # every current unit, the province too
    keys = [vietnamese_sort_key(n) for n in names]
    assert keys == sorted(keys) and names != sorted(names)
    assert names.index("Xã Hà Long") < names.index("Xã Hoằng Tiến")
    assert names.index("Xã Cổ Lũng") < names.index("Xã Đông Thành") < names.index("Xã Giao An")
    assert names.index("Xã Yên Định") > names.index("Xã Đông Thành")
    # the whole name is the key, so each kind's prefix keeps its units together
    assert names.index("Sở Nội vụ") < names.index("Sở Y tế") < names.index("Xã Ba Đình")
