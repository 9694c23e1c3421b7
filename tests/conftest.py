"""Shared fixtures: a real Debian chromium driven by Playwright for browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
# run inside one unless told that this (test-only) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HAILONG_CHROMIUM", "/usr/bin/chromium")
# One folder per database's suite: `make test` runs the two side by side.
ARTIFACTS = (
    Path(__file__).resolve().parent.parent
    / "test-artifacts"
    / (
        "postgresql"
        if os.environ.get("HAILONG_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make system' (installs Debian chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: object) -> list[dict[str, object]]:
    """Run axe-core (WCAG 2.x A/AA rules, 2.2 included) in the page; return its violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run 'make test' (installs axe-core from npm)")
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.fixture
def axe() -> object:
    """``axe(page)`` lists the accessibility violations of the page as shown."""
    return axe_violations


STAFF_PASSWORD = "mat-khau-rat-dai-2026"


def staff_sign_in(
    page: object, url: str | None, username: str, password: str = STAFF_PASSWORD
) -> None:
    """Sign in at /dang-nhap/: open ``url`` (a staff page sends a signed-out person to sign in,
    then back there), or, with None, fill in the sign-in form the page shows already."""
    if url is not None:
        page.goto(url)  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(password)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]


@pytest.fixture
def sign_in() -> object:
    """``sign_in(page, url, username, password=STAFF_PASSWORD)``: the staff sign-in steps."""
    return staff_sign_in


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_env(**extra: str) -> dict[str, str]:
    """The environment of a ``hailong serve`` on the test database, with ``extra``."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        user = db["USER"] or "postgres"
        url = f"postgresql://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hailong.settings.test",
        "HAILONG_DATABASE_URL": url,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src"),
        **extra,
    }


def serve_start(**extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``hailong serve`` (the writer process, then granian, one worker) on the test database,
    with ``extra`` in its environment; the process and its base URL once it answers."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the server's STATIC_ROOT
    env = serve_env(**extra)
    for attempt in range(3):  # a port found free may be taken before granian binds it
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "django", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--no-collectstatic"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(0.3)
        if server.poll() is None and time.monotonic() < deadline:
            return server, base  # up, and the answer came from this server (it still runs)
        server.kill()
        if attempt == 2:
            raise RuntimeError(
                "hailong serve did not start: " + (server.stderr.read() or b"").decode()[-2000:]
            )
    raise AssertionError("unreachable")


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """``hailong serve`` on the test database (the writer process, then the ASGI application
    under granian); yields its base URL.

    Django's ``live_server`` is a WSGI server, which would not route the submission path.
    """
    server, base = serve_start()
    yield base
    server.terminate()  # granian stops, then its writer
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        raise


@pytest.fixture
def computed_demo(settings: Any, tmp_path: Path) -> Any:
    """The demo's 2024 survey of Thanh Hóa's units with 3 000 answers, computed, not published
    (the browser tests of the results and dashboards; the analytics store in ``tmp_path``)."""
    from hailong.demo.services import answers_load, campaign_create, structure_load
    from hailong.results.services import campaign_compute

    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    answers_load(campaign=campaign, total=3000, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    return campaign


@pytest.fixture
def kiosk_desk() -> tuple[Any, str]:
    """A ward's desk, its desk form open, and the one-time code that registers a kiosk there."""
    import datetime as dt

    from django.utils import timezone

    from hailong.campaigns.models import Campaign, CampaignUnit
    from hailong.instruments.models import InstrumentVersion
    from hailong.instruments.services import builtin_instruments_load
    from hailong.kiosks.models import Kiosk
    from hailong.kiosks.services import kiosk_registration_new
    from hailong.units.models import Desk, Unit, UnitKind

    builtin_instruments_load()
    today = timezone.localdate()
    desk_form = Campaign.objects.create(
        code="quay-nay", name="Đánh giá nhanh tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=100), period_end=today + dt.timedelta(days=100),
        status=Campaign.Status.OPEN, channels=["kiosk", "qr"],
    )  # fmt: skip
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=desk_form, unit=ward, quota=50)
    desk = Desk.objects.create(unit=ward, code="quay-1", name="Quầy số 1")
    return desk, kiosk_registration_new(kiosk=Kiosk(name="Ki-ốt quầy 1", unit=ward, desk=desk))
