"""Public holidays kept by the province: deadlines skip them, the staff screen keeps them."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hailong.accounts.models import User
from hailong.audit.models import AuditEntry
from hailong.cases.models import Case, Holiday
from hailong.cases.selectors import tet_missing
from hailong.cases.services import case_submit, cases_escalate
from hailong.cases.tests.conftest import PASSWORD
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db

URL = "/can-bo/phan-anh/ngay-nghi/"
TET_2027 = [dt.date(2027, 2, d) for d in range(4, 11)]  # an example list, Thursday to Wednesday


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def signed_in(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_deadline_across_tet_skips_the_entered_days_and_old_deadlines_stay(
    wards: tuple[Unit, Unit],
) -> None:
    monday = dt.date(2027, 2, 1)
    before = case_submit(unit=wards[0], kind="complaint", text="Chậm", now=at(monday))
    assert before.due_on == dt.date(2027, 2, 15)  # ten weekdays
    Holiday.objects.bulk_create(Holiday(day=d, name_vi="Tết Nguyên đán") for d in TET_2027)
    Holiday.objects.create(day=dt.date(2027, 1, 30), name_vi="Làm bù", working_day=True)
    after = case_submit(unit=wards[0], kind="complaint", text="Chậm", now=at(monday))
    # Tue 2, Wed 3, then Thu 11, Fri 12, Mon 15 to Fri 19 and Mon 22: ten working days
    assert after.due_on == dt.date(2027, 2, 22)
    before.refresh_from_db()
    assert before.due_on == dt.date(2027, 2, 15)  # a deadline already set does not move
    friday = case_submit(unit=wards[0], kind="complaint", text="Chậm", now=at(dt.date(2027, 1, 29)))
    # Saturday 30/1 is worked: Sat 30, Mon 1 to Wed 3, Thu 11, Fri 12, Mon 15 to Thu 18
    assert friday.due_on == dt.date(2027, 2, 18)


def test_reminders_and_escalations_read_the_holidays_once(wards: tuple[Unit, Unit]) -> None:
    for n in range(5):
        case_submit(unit=wards[0], kind="complaint", text=f"Chậm {n}", now=at(dt.date(2027, 1, 4)))
    Holiday.objects.bulk_create(Holiday(day=d, name_vi="Tết Nguyên đán") for d in TET_2027)
    with CaptureQueriesContext(connection) as queries:
        done = cases_escalate(now=at(dt.date(2027, 1, 15)))
    assert done["reminded"] == 5  # due 18/1: one working day left
    assert sum("cases_holiday" in q["sql"] for q in queries.captured_queries) == 1
    # a case due before Tết, looked at after it: the Tết days are not counted as late
    done = cases_escalate(now=at(dt.date(2027, 2, 11)))
    assert done["escalated"] == 5
    case = Case.objects.first()
    assert case is not None
    note = case.events.get(action="escalate").note
    assert note.startswith("quá hạn 13 ngày làm việc")  # 19/1 … 3/2 and 11/2, not the Tết week


def test_the_fixed_date_holidays_are_seeded_and_nothing_lunar(wards: tuple[Unit, Unit]) -> None:
    migration = importlib.import_module("hailong.cases.migrations.0003_holidays_fixed_dates")
    migration.seed(apps, None)
    migration.seed(apps, None)  # twice changes nothing
    year = timezone.localdate().year
    days = set(Holiday.objects.values_list("day", flat=True))
    assert days == {
        dt.date(y, m, d) for y in (year, year + 1) for m, d in ((1, 1), (4, 30), (5, 1), (9, 2))
    }
    assert tet_missing(dt.date(year, 3, 1))  # Tết was not invented


def test_coordinators_add_remove_and_import_days_and_each_change_is_audited(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    signed_in(client, staff["coordinator"])
    page = client.get(URL)
    assert page.status_code == 200 and "Chưa nhập lịch nghỉ Tết" in page.content.decode()
    reply = client.post(URL, {"buoc": "them", "ngay": "2027-02-06", "ten": "Mùng 1 Tết"})
    assert reply.status_code == 302
    assert Holiday.objects.get(day=dt.date(2027, 2, 6)).name_vi == "Mùng 1 Tết"
    client.post(URL, {"buoc": "them", "ngay": "2027-02-06", "ten": "lại"})  # already there
    assert Holiday.objects.count() == 1
    client.post(URL, {"buoc": "them", "ngay": "2027-02-08", "lam_bu": "1"})  # a Monday
    assert Holiday.objects.count() == 1
    holiday = Holiday.objects.get()
    client.post(URL, {"buoc": "xoa", "id": holiday.pk})
    assert not Holiday.objects.exists()
    upload = SimpleUploadedFile(
        "tet-2027.csv",
        "date,name,name_en,working_day\n"
        "2027-02-04,Tết Nguyên đán,Lunar New Year,\n"
        "05/02/2027,Tết Nguyên đán,Lunar New Year,0\n"
        "2027-01-30,Làm bù,Make-up working day,1\n".encode(),
        content_type="text/csv",
    )
    reply = client.post(URL, {"buoc": "nhap", "tep": upload})
    assert reply.status_code == 302
    assert Holiday.objects.filter(working_day=True).get().day == dt.date(2027, 1, 30)
    assert Holiday.objects.count() == 3
    page = client.get(URL).content.decode()
    assert "Tết Nguyên đán" in page and "Lunar New Year" not in page  # one language a page
    actions = list(
        AuditEntry.objects.filter(action__startswith="holiday.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["holiday.add", "holiday.delete", "holiday.import"]


def test_a_bad_file_imports_nothing_and_says_where(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    signed_in(client, staff["coordinator"])
    upload = SimpleUploadedFile(
        "sai.csv",
        b"date,name,working_day\n2027-02-04,Tet,\n2027-02-31,Sai,\n2027-02-05,Tet,1\n",
        content_type="text/csv",
    )
    reply = client.post(URL, {"buoc": "nhap", "tep": upload})
    body = reply.content.decode()
    assert reply.status_code == 400
    assert "2027-02-31" in body and "thứ Bảy hoặc Chủ nhật" in body
    assert not Holiday.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="holiday.").exists()
    latin1 = SimpleUploadedFile("tet.csv", b"date,name\n2027-02-04,T\xeat\n")  # not UTF-8
    body = client.post(URL, {"buoc": "nhap", "tep": latin1}).content.decode()
    assert "không phải UTF-8" in body and "<td>0</td>" not in body  # the file, not "row 0"


def test_managers_are_refused_and_auditors_only_read(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    Holiday.objects.create(day=timezone.localdate() + dt.timedelta(days=40), name_vi="Ngày X")
    for who in ("manager", "clerk", "viewer"):
        signed_in(client, staff[who])
        assert client.get(URL).status_code == 403
        client.logout()
    signed_in(client, staff["auditor"])
    page = client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200 and "Ngày X" in body and 'name="buoc"' not in body
    reply = client.post(URL, {"buoc": "them", "ngay": "2027-02-06"})
    assert reply.status_code == 403 and Holiday.objects.count() == 1


def test_the_case_list_warns_until_tet_is_entered(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    signed_in(client, staff["manager"])
    today = timezone.localdate()
    assert "Chưa nhập lịch nghỉ Tết" in client.get("/can-bo/phan-anh/").content.decode()
    year = today.year + 1 if (today.month, today.day) > (2, 20) else today.year
    Holiday.objects.create(day=dt.date(year, 2, 20), name_vi="Tết")
    assert not tet_missing(today)
    assert "Chưa nhập lịch nghỉ Tết" not in client.get("/can-bo/phan-anh/").content.decode()


def test_removing_an_unknown_day_says_so(
    client: Client, wards: tuple[Unit, Unit], staff: dict[str, User]
) -> None:
    signed_in(client, staff["coordinator"])
    for given in ("abc", "999999", ""):
        reply = client.post(URL, {"buoc": "xoa", "id": given}, follow=True)
        assert reply.status_code == 200 and "không còn trong lịch" in reply.content.decode()
