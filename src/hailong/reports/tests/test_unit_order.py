"""The report page's unit picker and the workbook's unit sheets are in Vietnamese order."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign
from hailong.core.text import vietnamese_sort_key
from hailong.reports.workbook import par_xlsx, workbook_xlsx
from hailong.results.models import Computation
from hailong.results.services import campaign_compute

pytestmark = pytest.mark.django_db(transaction=True)  # the analytics store reads committed rows


def in_vietnamese_order(names: list[str]) -> bool:
    keys = [vietnamese_sort_key(n) for n in names]
    return keys == sorted(keys)


def test_the_scorecard_picker_is_in_vietnamese_order(campaign: Campaign) -> None:
    campaign_compute(campaign=campaign)
    user = User.objects.create_user("dieu-phoi", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, unit=None)
    client = Client()
    client.force_login(user)
    page = client.get("/can-bo/bao-cao/").content.decode()
    picker = re.search(r'<select id="don-vi-\d+" name="don_vi">(.*?)</select>', page, re.S)
    assert picker is not None
    names = re.findall(r"<option [^>]*>([^<]+)</option>", picker.group(1))
    assert len(names) > 150 and in_vietnamese_order(names)
    assert names.index("Xã Hà Long") < names.index("Xã Hoằng Tiến")
    assert names.index("Xã Đông Thành") < names.index("Xã Hà Long")


def test_the_unit_sheets_are_in_vietnamese_order(computation: Computation) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(computation)), read_only=True)
    units = [r[1] for r in book["Đơn vị"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(units) > 150 and in_vietnamese_order(units)
    par = openpyxl.load_workbook(io.BytesIO(par_xlsx(computation)), read_only=True)
    points = [r[1] for r in par.worksheets[0].iter_rows(min_row=2, values_only=True) if r[1]]
    assert points and in_vietnamese_order(points)
