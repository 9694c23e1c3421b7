"""The portal's visit counter: who came today, counted once, with no cookie and no address.

A page view counts when it is a successful GET of a public HTML page by someone who is not
signed in and whose browser does not call itself a robot. The visitor is
``client_hash(address + browser, salt of the day)`` (``collection.integrity``): the first
view of the day of a hash inserts it into ``VisitorSeen`` (one row per visitor per day,
unique, so several processes agree) and adds one visitor to ``VisitDay``. Views are added
up in the process and written with ``F()`` at most every ``HAILONG_VISIT_FLUSH_SECONDS``.
At the day's change the previous day's hashes are deleted.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hailong.collection.integrity import SaltBox, client_hash

from .models import VisitDay, VisitorSeen

# the back office, staff sign-in and kiosks (a device at a desk, not a visitor) are not visits
EXCLUDED_PREFIXES = (
    "/quan-tri/",
    "/api/",
    "/static/",
    "/can-bo/",
    "/dang-nhap/",
    "/dang-xuat/",
    "/kiosk/",
    "/i18n/",
    "/media/",
)
BOTS = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|headless", re.IGNORECASE)
MEMORY_LIMIT = 200_000  # hashes kept in the process per day; beyond it the table decides


def countable(request: HttpRequest, response: HttpResponse) -> bool:
    """A successful public HTML page seen by a person who is not staff."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if request.path.startswith(EXCLUDED_PREFIXES):
        return False
    agent = request.META.get("HTTP_USER_AGENT", "")
    if not agent or BOTS.search(agent):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def client_address(request: HttpRequest) -> str:
    """The client's address, or the last forwarded one behind a trusted proxy (as intake)."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    if address in settings.HAILONG_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    return address


class VisitCounter:
    """Per-process state: today's known hashes and the views not yet written."""

    def __init__(self) -> None:
        self.salts = SaltBox()
        self.lock = threading.Lock()
        self.day: dt.date | None = None
        self.seen: set[str] = set()
        self.pending: dict[dt.date, int] = {}
        self.flushed = time.monotonic()

    def record(self, *, address: str, agent: str, day: dt.date) -> bool:
        """Count one view on ``day``; True if it was this visitor's first view that day."""
        key = client_hash(f"{address}\n{agent}", self.salts.salt(day))
        with self.lock:
            if self.day != day:
                self._new_day(day)
            self.pending[day] = self.pending.get(day, 0) + 1
            known = key in self.seen
            if not known and len(self.seen) < MEMORY_LIMIT:
                self.seen.add(key)
        new = False
        if not known:
            new = _visitor_insert(day=day, key=key)
        if new or time.monotonic() - self.flushed >= settings.HAILONG_VISIT_FLUSH_SECONDS:
            self.flush(new_visitor_on=day if new else None)
        return new

    def flush(self, *, new_visitor_on: dt.date | None = None) -> None:
        with self.lock:
            pending, self.pending = self.pending, {}
            self.flushed = time.monotonic()
        if new_visitor_on is not None:
            pending.setdefault(new_visitor_on, 0)
        for day, views in pending.items():
            visitors = 1 if day == new_visitor_on else 0
            _day_add(day=day, visitors=visitors, views=views)

    def _new_day(self, day: dt.date) -> None:
        self.day = day
        self.seen = set()
        VisitorSeen.objects.filter(day__lt=day).delete()


def _visitor_insert(*, day: dt.date, key: str) -> bool:
    try:
        with transaction.atomic():
            VisitorSeen.objects.create(day=day, key=key)
    except IntegrityError:  # another process counted this visitor first
        return False
    return True


def _day_add(*, day: dt.date, visitors: int, views: int) -> None:
    if not VisitDay.objects.filter(day=day).update(
        visitors=F("visitors") + visitors, views=F("views") + views
    ):
        try:
            with transaction.atomic():
                VisitDay.objects.create(day=day, visitors=visitors, views=views)
        except IntegrityError:  # created meanwhile by another process
            VisitDay.objects.filter(day=day).update(
                visitors=F("visitors") + visitors, views=F("views") + views
            )


counter = VisitCounter()


class VisitMiddleware:
    """Counts views of public pages after they were served (``countable``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if countable(request, response):
            counter.record(
                address=client_address(request),
                agent=request.META.get("HTTP_USER_AGENT", ""),
                day=timezone.localdate(),
            )
        return response
