"""The visit counter: one visitor once a day, no bots, no staff, no back office, no errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import User
from hailong.opendata.models import VisitDay, VisitorSeen
from hailong.opendata.visits import counter

pytestmark = pytest.mark.django_db(transaction=True)

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def fresh(settings: Any) -> None:
    settings.HAILONG_VISIT_FLUSH_SECONDS = 0
    counter.day = None
    counter.seen = set()
    counter.pending = {}
    cache.clear()


def _today() -> VisitDay:
    return VisitDay.objects.get(day=timezone.localdate())


def test_one_visitor_is_counted_once_a_day_with_every_view() -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    for _ in range(3):
        assert client.get("/").status_code == 200
    client.get("/don-vi/")
    other = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.9")
    other.get("/")
    today = _today()
    assert (today.visitors, today.views) == (2, 5)
    assert set(client.cookies) <= {"csrftoken"}  # the language form's; none to count
    assert all(
        len(k) == 32 and "127.0.0.1" not in k
        for k in VisitorSeen.objects.values_list("key", flat=True)
    )


def test_the_next_day_counts_the_same_visitor_again_and_forgets_yesterday() -> None:
    day = dt.date(2025, 3, 10)
    assert counter.record(address="1.2.3.4", agent=BROWSER, day=day)
    assert not counter.record(address="1.2.3.4", agent=BROWSER, day=day)
    assert counter.record(address="1.2.3.4", agent=BROWSER, day=day + dt.timedelta(days=1))
    assert VisitDay.objects.get(day=day).visitors == 1
    assert VisitDay.objects.get(day=day + dt.timedelta(days=1)).visitors == 1
    assert not VisitorSeen.objects.filter(day=day).exists()  # yesterday's hashes are gone


def test_another_process_does_not_count_the_visitor_twice() -> None:
    day = dt.date(2025, 3, 10)
    assert counter.record(address="1.2.3.4", agent=BROWSER, day=day)
    counter.seen = set()  # a second process knows nothing in memory
    assert not counter.record(address="1.2.3.4", agent=BROWSER, day=day)
    assert VisitDay.objects.get(day=day).visitors == 1 and VisitDay.objects.get(day=day).views == 2


@pytest.mark.parametrize(
    "agent", ["Googlebot/2.1", "curl/8.5", "python-requests/2.32", "HeadlessChrome/126", ""]
)
def test_robots_are_not_counted(agent: str) -> None:
    Client(HTTP_USER_AGENT=agent).get("/")
    assert not VisitDay.objects.exists()


def test_the_back_office_the_api_errors_and_staff_are_not_counted() -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.get("/quan-tri/login/")
    client.get("/api/docs")
    assert client.get("/khong-co-trang-nay/").status_code == 404
    client.post("/")
    assert not VisitDay.objects.exists()
    staff = User.objects.create_user(username="canbo", password="x", is_staff=True)
    client.force_login(staff)
    client.get("/")
    assert not VisitDay.objects.exists()


def test_the_footer_shows_the_five_figures_in_vietnamese_format() -> None:
    today = timezone.localdate()
    VisitDay.objects.create(day=today, visitors=1234, views=5000)
    VisitDay.objects.create(day=today - dt.timedelta(days=1), visitors=56, views=60)
    VisitDay.objects.create(day=dt.date(2020, 1, 1), visitors=1_000_000, views=1)
    page = Client(HTTP_USER_AGENT="curl/8").get("/").content.decode()
    for label in ("Hôm nay", "Hôm qua", "Tuần này", "Tháng này", "Tổng cộng"):
        assert label in page
    assert "1.234" in page and "1.001.290" in page
