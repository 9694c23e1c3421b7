"""Every endpoint against every role: who gets in, who is refused, and no unit reads another's data.

``MATRIX`` below is the one table of the project's access rules. Each URL pattern of Django
(``get_resolver()`` walked recursively, the admin and the django-ninja API included) and each
path the ASGI app sends to the submission route must have a row, or
``test_every_endpoint_is_classified`` fails: a new endpoint is not finished until its row says
who may open it. The lead adds the rows of endpoints merged from other branches.

Columns, one per role (users of ``unit A`` hold their role over ward A only; the others over the
whole province):

    anon   not signed in          admin  system administrator     coord  province coordinator
    mgr    unit manager of A      clerk  clerk of A               view   viewer of A
    aud    auditor

Outcomes:

    ok    allowed: 2xx or 3xx (but not a redirect to the sign-in page), or 400/409/422 when the
          empty POST of the test was refused for its content
    in    sent to the sign-in page (302 to /dang-nhap/ or the admin's login)
    no    refused: 403 or 404, or the sign-in page for a signed-in user without the right flag
    401   refused by the API for want of an API key
    pub   public: the same status for every role, never a refusal (an address may still 404
          when the thing it names does not exist, e.g. open data before results are published)

``scoped`` rows name the object their address points at: the test opens the same address
with unit B's object as the manager, clerk and viewer of A (and a coordinator of A only), and requires 403 or 404 and none of
unit B's names, answers or comments in the body; no page but the public ones may show unit A's
staff anything of unit B, whatever its address. ``scoped="list"`` rows filter a list by unit B
(a query string): they may answer 200, but with nothing of unit B in it.

POST-only endpoints are sent an empty POST (a form error or a redirect counts as "allowed": the
door opened). Every request runs in a savepoint that is rolled back, so one role's request
cannot change what the next one sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.services import audit_record
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.cases.models import Case
from hailong.cases.services import case_submit
from hailong.collection.intake import PATHS as ASGI_PATHS
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.entry.models import PaperBatch, PaperEntry
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.integrations.services import api_key_create
from hailong.invitations.codes import code_new
from hailong.invitations.models import InvitationCode
from hailong.kiosks.models import Kiosk
from hailong.kiosks.services import kiosk_registration_new
from hailong.qrcodes.links import token_make
from hailong.reports.models import ReportJob
from hailong.reports.services import reports_dir
from hailong.results.services import campaign_compute
from hailong.units.models import Desk, Service, Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)  # the analytics store reads committed rows

ROLES = ("anon", "admin", "coord", "mgr", "clerk", "view", "aud")
GRANTS = {
    "admin": (Role.ADMINISTRATOR, None),
    "coord": (Role.COORDINATOR, None),
    "mgr": (Role.UNIT_MANAGER, "A"),
    "clerk": (Role.CLERK, "A"),
    "view": (Role.VIEWER, "A"),
    "aud": (Role.AUDITOR, None),
    "coordA": (Role.COORDINATOR, "A"),  # not a column: only in the unit B check
}
IN_UNIT_A = ("mgr", "clerk", "view")
NEVER_UNIT_B = (*IN_UNIT_A, "coordA")


@dataclass(frozen=True)
class Row:
    method: str
    outcomes: dict[str, str]
    scoped: str = ""  # the kind of object in the address, for the unit B check
    why: str = ""


def row(method: str, *outcomes: str, scoped: str = "", why: str = "") -> Row:
    assert len(outcomes) == len(ROLES), outcomes
    return Row(method, dict(zip(ROLES, outcomes, strict=True)), scoped, why)


PUBLIC = ("pub",) * 7
STAFF_ONLY_ADMIN = ("in", "no", "no", "no", "no", "no", "no")  # is_staff only; no role has it

# fmt: off
MATRIX: dict[str, Row] = {
    #                                         method   anon   admin  coord  mgr    clerk  view   aud
    # --- public pages: the survey, the portal, open data, QR and invitation links -----------------
    "portal:home":                       row("GET",  *PUBLIC),
    "portal:units":                      row("GET",  *PUBLIC),
    "portal:results":                    row("GET",  *PUBLIC),
    "portal:unit_result":                row("GET",  *PUBLIC, why="published results only"),
    "opendata:index":                    row("GET",  *PUBLIC),
    "opendata:dictionary":               row("GET",  *PUBLIC, why="published results only"),
    "opendata:download":                 row("GET",  *PUBLIC, why="published, k-anonymised"),
    "collection:start":                  row("GET",  *PUBLIC),
    "collection:form":                   row("GET",  *PUBLIC),
    "collection:thanks":                 row("GET",  *PUBLIC, why="the receipt is the secret; shows no answers"),
    "collection:receipt":                row("GET",  *PUBLIC, why="the receipt is the secret; shows no answers; rate limited"),
    "qrcodes:open":                      row("GET",  *PUBLIC, why="signed token"),
    "qrcodes:open_capitals":             row("GET",  *PUBLIC, why="signed token"),
    "qrcodes:svg":                       row("GET",  *PUBLIC),
    "qrcodes:png":                       row("GET",  *PUBLIC),
    "invitations:open":                  row("GET",  *PUBLIC, why="the code is the secret"),
    "kiosks:page":                       row("GET",  *PUBLIC, why="the device cookie decides (403 without)"),
    "kiosks:service_worker":             row("GET",  *PUBLIC),
    "kiosks:manifest":                   row("GET",  *PUBLIC),
    "kiosks:register":                   row("GET",  *PUBLIC, why="one-time registration code"),
    "set_language":                      row("POST", *PUBLIC),
    # --- sign-in ------------------------------------------------------------------------------------
    "accounts:signin":                   row("GET",  "ok", "ok", "ok", "ok", "ok", "ok", "ok", why="signed in: on to the home"),
    "accounts:second_step":              row("GET",  *("in",) * 7, why="back to sign-in without a password just accepted"),
    "accounts:signout":                  row("POST", *("in",) * 7, why="POST only; then the sign-in page"),
    # --- staff home, own second step ------------------------------------------------------------------
    "accounts:home":                     row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok"),
    "accounts:totp":                     row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok"),
    "accounts:password":                 row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok", why="one's own password"),
    # --- users: administrators and coordinators ---------------------------------------------------------
    "accounts:users":                    row("GET",  "in", "ok", "ok", "no", "no", "no", "no"),
    "accounts:user_new":                 row("GET",  "in", "ok", "ok", "no", "no", "no", "no"),
    "accounts:user":                     row("GET",  "in", "ok", "ok", "no", "no", "no", "no", scoped="user"),
    "accounts:role_delete":              row("POST", "in", "ok", "ok", "no", "no", "no", "no", scoped="user"),
    "accounts:user_action":              row("POST", "in", "ok", "ok", "no", "no", "no", "no", scoped="user"),
    # --- unit directory: everyone reads their units; coordinators change them; managers keep desks ---------
    "units:tree":                        row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok"),
    "units:unit":                        row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok", scoped="unit"),
    "units:edit":                        row("GET",  "in", "ok", "ok", "no", "no", "no", "no", scoped="unit"),
    "units:split":                       row("GET",  "in", "ok", "ok", "no", "no", "no", "no", scoped="unit"),
    "units:merge":                       row("GET",  "in", "ok", "ok", "no", "no", "no", "no"),
    "units:upload":                      row("GET",  "in", "ok", "ok", "no", "no", "no", "no"),
    "units:desk_add":                    row("POST", "in", "ok", "ok", "ok", "no", "no", "no", scoped="unit"),
    "units:desk":                        row("POST", "in", "ok", "ok", "ok", "no", "no", "no", scoped="desk"),
    "units:kiosk_add":                   row("POST", "in", "ok", "ok", "ok", "no", "no", "no", scoped="unit"),
    "units:kiosk_stop":                  row("POST", "in", "ok", "ok", "ok", "no", "no", "no", scoped="kiosk"),
    "units:services":                    row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok"),
    "units:services_upload":             row("GET",  "in", "ok", "ok", "no", "no", "no", "no", why="province-wide list"),
    # --- QR printing: administrators, coordinators, unit managers -----------------------------------------
    "qrcodes:units":                     row("GET",  "in", "ok", "ok", "ok", "ok", "ok", "ok", why="others: no unit, and says whom to ask"),
    "qrcodes:unit":                      row("GET",  "in", "ok", "ok", "ok", "no", "no", "no", scoped="unit"),
    "qrcodes:poster":                    row("GET",  "in", "ok", "ok", "ok", "no", "no", "no", scoped="unit"),
    "qrcodes:slips":                     row("GET",  "in", "ok", "ok", "ok", "no", "no", "no", scoped="unit"),
    "qrcodes:posters":                   row("GET",  "in", "ok", "ok", "ok", "no", "no", "no", scoped="units"),
    "qrcodes:slips_many":                row("GET",  "in", "ok", "ok", "ok", "no", "no", "no", scoped="units"),
    # --- invitation codes: clerks and above, for their units ----------------------------------------------
    "invitations:list":                  row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", why="auditors read, never change (#5)"),
    "invitations:upload":                row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no"),
    "invitations:create":                row("POST", "in", "ok", "ok", "ok", "ok", "no", "no"),
    "invitations:csv":                   row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", scoped="list"),
    "invitations:slips":                 row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", scoped="list"),
    "invitations:template":              row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no"),
    # --- paper entry: clerks and above, for their units ---------------------------------------------------
    "entry:index":                       row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", why="auditors read, never change (#5)"),
    "entry:batch_new":                   row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no"),
    "entry:batch":                       row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", scoped="paper"),
    "entry:sheet":                       row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no", scoped="paper"),
    "entry:mismatches":                  row("GET",  "in", "ok", "ok", "ok", "ok", "no", "ok", scoped="paper"),
    "entry:resolve":                     row("POST", "in", "ok", "ok", "ok", "ok", "no", "no", scoped="paper"),
    "entry:batch_close":                 row("POST", "in", "ok", "ok", "ok", "ok", "no", "no", scoped="paper"),
    "entry:upload":                      row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no"),
    "entry:upload_commit":               row("POST", "in", "ok", "ok", "ok", "ok", "no", "no"),
    "entry:template":                    row("GET",  "in", "ok", "ok", "ok", "ok", "no", "no"),
    # --- review queue: administrators and coordinators ------------------------------------------------------
    "review_queue":                      row("GET",  "in", "ok", "ok", "no", "no", "no", "ok", why="auditors read, never change (#5)"),
    # --- audit log: province-wide auditors, administrators, coordinators read it all; the same roles ----
    # --- over a unit, and unit managers, read only their units' entries (coordA in the unit B check) --
    "audit:index":                       row("GET",  "in", "ok", "ok", "ok", "no", "no", "ok", scoped="list"),
    "audit:export":                      row("GET",  "in", "ok", "ok", "ok", "no", "no", "ok", scoped="list"),
    "audit:verify":                      row("POST", "in", "ok", "ok", "no", "no", "no", "ok", why="the whole chain: whole-province readers only"),
    # --- campaigns: coordinators plan and move steps; readers see their units' rows -------------------
    "campaigns:list":                    row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    "campaigns:new":                     row("GET",  "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:detail":                  row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="unit A's staff: their rows only"),
    "campaigns:settings":                row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:scope":                   row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:step":                    row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:compute":                 row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:plan":                    row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="unit A's staff: their rows only"),
    "campaigns:plan_save":               row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:plan_kinds":              row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:plan_upload":             row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "campaigns:plan_upload_commit":      row("POST", "in", "ok", "ok", "no", "no", "no", "no"),
    "progress:board":                    row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="unit A's staff: their units and alerts only"),
    "progress:body":                     row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="the part htmx refreshes"),
    "progress:export":                   row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    # --- dashboards: the latest computation; unit staff see their units and the province only -------
    "dashboards:chooser":                row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    "dashboards:overview":               row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="unit A's staff: no other unit in the ranking"),
    "dashboards:overview_download":      row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    "dashboards:unit":                   row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="unit"),
    "dashboards:unit_download":          row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="unit"),
    "dashboards:drill":                  row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="province-wide groups, never a unit's"),
    "dashboards:drill_download":         row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    # --- reports: whole-province roles get every document; unit staff their units' scorecards -------
    "reports:index":                     row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    "reports:jobs":                      row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", why="the part htmx refreshes"),
    "reports:download":                  row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="job"),
    # --- what people wrote: masked comments within the reader's units -----------------------------------
    "topics:index":                      row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok"),
    "topics:board":                      row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="list"),
    "topics:list":                       row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="list"),
    "topics:export_csv":                 row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="list"),
    "topics:export_xlsx":                row("GET",  "in", "ok", "ok", "ok", "no", "ok", "ok", scoped="list"),
    # --- complaints and suggestions: anyone sends and tracks; the owning unit and coordinators answer --
    "cases:submit":                      row("GET",  *PUBLIC),
    "cases:track":                       row("GET",  *PUBLIC, why="the tracking code is the secret"),
    "cases:published":                   row("GET",  *PUBLIC, why="answered, both sides agreed, masked"),
    "cases:staff_list":                  row("GET",  "in", "ok", "ok", "ok", "no", "no", "ok", scoped="list"),
    "cases:staff_case":                  row("GET",  "in", "ok", "ok", "ok", "no", "no", "ok", scoped="case"),
    "cases:holidays":                    row("GET",  "in", "ok", "ok", "no", "no", "no", "ok", why="province-wide list; auditors read it"),
    # --- REST API: API keys, never a session (unit scope of keys: test_api_keys_stay_in_their_units) -------
    "api:api-root":                      row("GET",  *PUBLIC, why="404 page of the API"),
    "api:openapi-json":                  row("GET",  *PUBLIC),
    "api:openapi-view":                  row("GET",  *PUBLIC),
    "api:health":                        row("GET",  *PUBLIC),
    "api:invitations_post":              row("POST", *("401",) * 7),
    "api:invitation_get":                row("GET",  *("401",) * 7),
    "api:invitation_qr":                 row("GET",  *("401",) * 7),
    "api:receipt_get":                   row("GET",  *("401",) * 7),
}
# fmt: on

# The Django admin (/quan-tri/): only superusers and whole-province administrators with is_staff,
# which none of the roles gives (test_the_admin_never_bypasses_unit_scopes). Its ~100 patterns
# are one rule; the test opens a sample of them (ADMIN_SAMPLE) for every role.
ADMIN_PREFIX = "admin:"
ADMIN_ROW = row("GET", *STAFF_ONLY_ADMIN)
ADMIN_SAMPLE = (
    "admin:index",
    "admin:units_unit_changelist",
    "admin:collection_response_changelist",
    "admin:audit_auditentry_changelist",
    "admin:accounts_user_changelist",
)

# Paths the ASGI app routes to the submission route before Django (hailong/asgi.py).
ASGI_MATRIX = {
    "/gui-phieu/": "public form post: a signed form token names the unit "
    "(collection/tests/test_intake.py)",
    "/api/v1/answers": "API key with answers:write, for the key's units only "
    "(test_an_integrating_system_submits_with_its_key_for_its_units_only)",
    "/bench/noop": "benchmark only, when HAILONG_BENCH_NOOP is set",
    "/bench/checked": "benchmark only, when HAILONG_BENCH_NOOP is set: every check, no writing",
}


def url_names() -> Iterator[tuple[str, str]]:
    """(name, pattern) of every URL pattern, walking included resolvers."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield (
                    namespace + (entry.name or f"<unnamed {entry.pattern}>"),
                    prefix + str(entry.pattern),
                )

    yield from walk(get_resolver(), "", "")


def test_every_endpoint_is_classified() -> None:
    missing = [
        f"{name}  ({pattern})"
        for name, pattern in url_names()
        if name not in MATRIX and not name.startswith(ADMIN_PREFIX)
    ]
    assert not missing, "endpoints without a row in MATRIX:\n" + "\n".join(missing)
    stale = set(MATRIX) - {name for name, _ in url_names()}
    assert not stale, f"rows in MATRIX for endpoints that no longer exist: {sorted(stale)}"
    assert set(ASGI_PATHS) <= set(ASGI_MATRIX), "an ASGI path without a row in ASGI_MATRIX"


# --------------------------------------------------------------------------------------------------
# The data: the least that fills every address, for unit A and unit B.


@dataclass
class World:
    units: dict[str, Unit]
    desks: dict[str, Desk]
    kiosks: dict[str, Kiosk]
    batches: dict[str, PaperBatch]
    invitations: dict[str, InvitationCode]
    responses: dict[str, Response]
    targets: dict[str, User]
    campaign: Campaign
    service: Service
    kiosk_codes: dict[str, str]
    cases: dict[str, Case]
    jobs: dict[str, ReportJob]
    markers: dict[str, list[str]]  # text of unit B that must never reach unit A's staff


@pytest.fixture
def world() -> World:
    builtin_instruments_load()
    today = timezone.localdate()
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    units = {
        "A": Unit.objects.create(
            code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
        ),
        "B": Unit.objects.create(
            code="16000", name="Xã Bên Kia Sông", kind=UnitKind.COMMUNE, parent=province
        ),
    }
    campaign = Campaign.objects.create(
        code="quay-nay", name="Đánh giá tại quầy", year=today.year,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30),
        status=Campaign.Status.OPEN, channels=["web", "qr", "api", "kiosk", "paper"],
    )  # fmt: skip
    service = Service.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="commune"
    )
    desks, kiosks, batches, invitations, responses, targets, codes = {}, {}, {}, {}, {}, {}, {}
    cases: dict[str, Case] = {}
    jobs: dict[str, ReportJob] = {}
    for side, unit in units.items():
        service.units.add(unit)
        CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=50)
        targets[side] = User.objects.create_user(f"muc-tieu-{side}", password="x" * 16)
        RoleAssignment.objects.create(user=targets[side], role=Role.CLERK, unit=unit)
        desks[side] = Desk.objects.create(unit=unit, code=f"quay-{side}", name=f"Quầy {side}")
        kiosks[side] = Kiosk(name=f"Ki-ốt {side}", unit=unit, desk=desks[side])
        codes[side] = kiosk_registration_new(kiosk=kiosks[side])
        batches[side] = PaperBatch.objects.create(
            campaign=campaign, unit=unit, number=f"LO-{side}", expected_sheets=5
        )
        PaperEntry.objects.create(
            batch=batches[side], sheet_number=1, clerk=targets[side],
            answers={"tong_the": 4, "y_kien": f"Ý kiến {side}"},
        )  # fmt: skip
        invitations[side] = InvitationCode.objects.create(
            code=code_new(), campaign=campaign, unit=unit, file_number=f"HS-{side}-số",
            completed_on=today, expires_on=today + dt.timedelta(days=30), batch=f"dot-{side}",
        )  # fmt: skip
        responses[side] = Response.objects.create(
            receipt=receipt_new(today.year), idempotency_key=f"k-{side}", campaign=campaign,
            instrument=campaign.instrument, unit=unit, source="kiosk", collection_mode="kiosk",
            submitted_at=timezone.now(), flags=["too_fast"], review="flagged",
            answers={"tong_the": 2, "y_kien": f"Góp ý bí mật của đơn vị {side} xyzzy{side}"},
        )  # fmt: skip
        Response.objects.create(  # accepted, so its comment reaches the comment pages
            receipt=receipt_new(today.year), idempotency_key=f"k2-{side}", campaign=campaign,
            instrument=campaign.instrument, unit=unit, source="web", collection_mode="online",
            submitted_at=timezone.now(), review="accepted",
            answers={"tong_the": 1, "y_kien": f"Cán bộ thiếu nhiệt tình xyzzy{side}"},
        )  # fmt: skip
        audit_record(action="test.entry", obj=unit, unit=unit, data={"side": side})
        jobs[side] = ReportJob.objects.create(
            campaign=campaign, kind=ReportJob.Kind.SCORECARD_PDF, unit=unit,
            status=ReportJob.Status.DONE, file=f"matrix-{side}.pdf",
        )  # fmt: skip
        reports_dir().mkdir(parents=True, exist_ok=True)
        (reports_dir() / f"matrix-{side}.pdf").write_bytes(b"%PDF-1.7 " + unit.name.encode())
        cases[side] = case_submit(
            unit=unit, kind=Case.Kind.COMPLAINT, text=f"Phản ánh của đơn vị {side} xyzzy{side}"
        )
    campaign_compute(campaign=campaign)  # the dashboards' figures (not published)
    markers = {  # none can be spelled by chance inside a random code (Crockford, upper case)
        "B": [
            units["B"].name,
            "xyzzyB",
            "Ý kiến B",
            invitations["B"].file_number,
            batches["B"].number,
            "muc-tieu-B",
        ]
    }
    return World(
        units, desks, kiosks, batches, invitations, responses, targets, campaign, service,
        codes, cases, jobs, markers,
    )  # fmt: skip


def address(name: str, world: World, side: str) -> str:
    """The address of ``name`` filled in with unit ``side``'s objects."""
    unit = world.units[side]
    fill: dict[str, Callable[[], dict[str, Any]]] = {
        "portal:unit_result": lambda: {"code": unit.code},
        "opendata:dictionary": lambda: {"campaign": world.campaign.code},
        "opendata:download": lambda: {
            "campaign": world.campaign.code,
            "dataset": "answers",
            "extension": "csv",
        },
        "collection:thanks": lambda: {"receipt": world.responses[side].receipt},
        "qrcodes:open": lambda: {"token": token_make(unit=unit)},
        "qrcodes:open_capitals": lambda: {"token": token_make(unit=unit)},
        "qrcodes:svg": lambda: {"token": token_make(unit=unit)},
        "qrcodes:png": lambda: {"token": token_make(unit=unit)},
        "invitations:open": lambda: {"code": world.invitations[side].code},
        "kiosks:register": lambda: {"code": world.kiosk_codes[side]},
        "accounts:user": lambda: {"pk": world.targets[side].pk},
        "accounts:role_delete": lambda: {
            "pk": world.targets[side].pk,
            "assignment": world.targets[side].roles.get().pk,
        },
        "accounts:user_action": lambda: {"pk": world.targets[side].pk, "action": "khoa"},
        "units:unit": lambda: {"code": unit.code},
        "units:edit": lambda: {"code": unit.code},
        "units:split": lambda: {"code": unit.code},
        "units:desk_add": lambda: {"code": unit.code},
        "units:desk": lambda: {"code": unit.code, "pk": world.desks[side].pk},
        "units:kiosk_add": lambda: {"code": unit.code},
        "units:kiosk_stop": lambda: {"code": unit.code, "pk": world.kiosks[side].pk},
        "qrcodes:unit": lambda: {"code": unit.code},
        "qrcodes:poster": lambda: {"code": unit.code},
        "qrcodes:slips": lambda: {"code": unit.code},
        "entry:batch": lambda: {"pk": world.batches[side].pk},
        "entry:sheet": lambda: {"pk": world.batches[side].pk},
        "entry:mismatches": lambda: {"pk": world.batches[side].pk},
        "entry:resolve": lambda: {"pk": world.batches[side].pk, "number": 1},
        "entry:batch_close": lambda: {"pk": world.batches[side].pk},
        "entry:template": lambda: {"code": world.campaign.code, "ext": "csv"},
        "api:invitation_get": lambda: {"code": world.invitations[side].code},
        "api:invitation_qr": lambda: {"code": world.invitations[side].code},
        "api:receipt_get": lambda: {"receipt": world.responses[side].receipt},
        "campaigns:detail": lambda: {"code": world.campaign.code},
        "campaigns:settings": lambda: {"code": world.campaign.code},
        "campaigns:scope": lambda: {"code": world.campaign.code},
        "campaigns:step": lambda: {"code": world.campaign.code},
        "campaigns:compute": lambda: {"code": world.campaign.code},
        "campaigns:plan": lambda: {"code": world.campaign.code},
        "campaigns:plan_save": lambda: {"code": world.campaign.code},
        "campaigns:plan_kinds": lambda: {"code": world.campaign.code},
        "campaigns:plan_upload": lambda: {"code": world.campaign.code},
        "campaigns:plan_upload_commit": lambda: {"code": world.campaign.code},
        "cases:staff_case": lambda: {"pk": world.cases[side].pk},
        "reports:download": lambda: {"pk": world.jobs[side].pk},
        "dashboards:overview": lambda: {"code": world.campaign.code},
        "dashboards:overview_download": lambda: {
            "code": world.campaign.code,
            "key": "xep-hang",
            "fmt": "csv",
        },
        "dashboards:unit": lambda: {"code": world.campaign.code, "unit": unit.code},
        "dashboards:unit_download": lambda: {
            "code": world.campaign.code,
            "unit": unit.code,
            "key": "yeu-to",
            "fmt": "xlsx",
        },
        "dashboards:drill": lambda: {"code": world.campaign.code, "dimension": "linh-vuc"},
        "dashboards:drill_download": lambda: {
            "code": world.campaign.code,
            "dimension": "linh-vuc",
            "key": "nhom",
            "fmt": "csv",
        },
        "topics:board": lambda: {"code": world.campaign.code},
        "topics:list": lambda: {"code": world.campaign.code},
        "topics:export_csv": lambda: {"code": world.campaign.code},
        "topics:export_xlsx": lambda: {"code": world.campaign.code},
        "progress:board": lambda: {"code": world.campaign.code},
        "progress:body": lambda: {"code": world.campaign.code},
        "progress:export": lambda: {"code": world.campaign.code},
    }
    query = {
        "qrcodes:posters": f"?don-vi={unit.code}",
        "qrcodes:slips_many": f"?don-vi={unit.code}",
        "invitations:csv": f"?lo={world.invitations[side].batch}",
        "invitations:slips": f"?lo={world.invitations[side].batch}",
        "cases:staff_list": f"?don-vi={unit.code}",
        "audit:index": f"?obj={unit.pk}",  # the entry about unit B (the form echoes the query)
        "audit:export": f"?obj={unit.pk}",
        "topics:board": f"?don_vi={unit.pk}",
        "topics:list": f"?don_vi={unit.pk}",
        "topics:export_csv": f"?don_vi={unit.pk}",
        "topics:export_xlsx": f"?don_vi={unit.pk}",
    }
    kwargs = fill[name]() if name in fill else {}
    return reverse(name, kwargs=kwargs) + query.get(name, "")


@pytest.fixture
def sessions(world: World) -> dict[str, dict[str, str]]:
    """Session cookies of one user per role; a fresh client per request reuses them."""
    cookies: dict[str, dict[str, str]] = {"anon": {}}
    for role, (granted, side) in GRANTS.items():
        user = User.objects.create_user(f"vai-tro-{role}", password="x" * 16)
        unit = world.units[side] if side else None
        RoleAssignment.objects.create(user=user, role=granted, unit=unit)
        client = Client()
        client.force_login(user)
        cookies[role] = {k: v.value for k, v in client.cookies.items()}
    return cookies


def fetch(cookies: dict[str, str], method: str, url: str) -> tuple[Any, str]:
    """One request (and its body) in a savepoint that is rolled back afterwards."""
    client = Client()
    for key, value in cookies.items():
        client.cookies[key] = value
    with transaction.atomic():
        response = client.post(url) if method == "POST" else client.get(url)
        if hasattr(response, "streaming_content"):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        transaction.set_rollback(True)
    return response, body.decode(errors="replace")


SIGN_IN = re.compile(r"^/(dang-nhap/|quan-tri/login/)")


def outcome(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307) and SIGN_IN.match(response.get("Location", "")):
        return "in"
    if status == 401:
        return "401"
    if status in (403, 404):
        return "no"
    if status in (400, 409, 422):
        return "ok"  # the door opened; the empty form was refused for its content
    if 200 <= status < 400:
        return "ok"
    return str(status)


def matches(expected: str, got: str, statuses: dict[str, int], role: str) -> bool:
    if expected == "pub":
        return got not in ("in", "401") and statuses[role] == statuses["anon"]
    if expected == "no":
        return got in ("no", "in") if role != "anon" else got == "in"
    return got == expected


def test_every_role_gets_what_the_matrix_says(
    world: World, sessions: dict[str, dict[str, str]]
) -> None:
    names = [name for name, _ in url_names() if name in MATRIX] + list(ADMIN_SAMPLE)
    wrong: list[str] = []
    for name in names:
        spec = ADMIN_ROW if name.startswith(ADMIN_PREFIX) else MATRIX[name]
        url = address(name, world, "A")
        statuses: dict[str, int] = {}
        got: dict[str, str] = {}
        for role in ROLES:
            response, body = fetch(sessions[role], spec.method, url)
            statuses[role], got[role] = response.status_code, outcome(response)
            leaked = [m for m in world.markers["B"] if m in body]
            if role in IN_UNIT_A and spec.outcomes[role] != "pub" and leaked:
                wrong.append(f"{name} {url} as {role} of unit A shows unit B's {leaked}")
        for role in ROLES:
            if not matches(spec.outcomes[role], got[role], statuses, role):
                wrong.append(
                    f"{name} {spec.method} {url} as {role}: expected {spec.outcomes[role]}, "
                    f"got {statuses[role]} ({got[role]})"
                )
    assert not wrong, "\n".join(wrong)


def test_unit_a_staff_never_reach_unit_b(world: World, sessions: dict[str, dict[str, str]]) -> None:
    wrong: list[str] = []
    for name, spec in MATRIX.items():
        if not spec.scoped:
            continue
        url = address(name, world, "B")
        for role in NEVER_UNIT_B:
            response, body = fetch(sessions[role], spec.method, url)
            leaked = [m for m in world.markers["B"] if m in body]
            refused = response.status_code in (403, 404) or (
                spec.scoped == "list" and response.status_code < 300
            )
            if not refused or leaked:
                wrong.append(
                    f"{name} {url} as {role} of unit A: {response.status_code}"
                    + (f", shows {leaked}" if leaked else "")
                )
    assert not wrong, "\n".join(wrong)


def test_api_keys_stay_in_their_units(world: World) -> None:
    """The API's own scope: a key of unit A reads nothing of unit B, and no key reads nothing."""
    _, raw = api_key_create(
        name="Một cửa", scopes=["invitations:read", "receipts:read"], units=[world.units["A"]]
    )
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for name in ("api:invitation_get", "api:invitation_qr", "api:receipt_get"):
        own = client.get(address(name, world, "A"))
        other = client.get(address(name, world, "B"))
        assert own.status_code == 200, (name, own.content)
        if name == "api:receipt_get":  # says only "not stored" for another unit's receipt
            assert own.json()["stored"] and not other.json()["stored"]
            assert other.json()["unit_code"] is None
        else:
            assert other.status_code in (403, 404), (name, other.status_code)
        assert not [m for m in world.markers["B"] if m in other.content.decode()]


@pytest.mark.parametrize(
    ("role", "side", "admitted"),
    [
        (Role.UNIT_MANAGER, "A", False),
        (Role.COORDINATOR, "A", False),
        (Role.ADMINISTRATOR, "A", False),
        (Role.AUDITOR, "A", False),
        (Role.COORDINATOR, None, False),
        (Role.AUDITOR, None, False),
        (Role.ADMINISTRATOR, None, True),
        ("superuser", None, True),
    ],
)
def test_the_admin_never_bypasses_unit_scopes(
    world: World, role: str, side: str | None, admitted: bool
) -> None:
    """is_staff and every model permission open the admin only to whole-province administrators.

    The admin checks model permissions, never units: a unit's staff let in would read unit B.
    """
    from django.contrib.auth.models import Permission

    if role == "superuser":
        user = User.objects.create_superuser("sieu-quan-tri", password="x" * 16)
    else:
        user = User.objects.create_user("co-is-staff", password="x" * 16, is_staff=True)
        user.user_permissions.set(Permission.objects.all())
        RoleAssignment.objects.create(
            user=user, role=role, unit=world.units[side] if side else None
        )
    client = Client()
    client.force_login(user)
    home = client.get(reverse("accounts:home")).content.decode()
    assert (f'href="{reverse("admin:index")}"' in home) == admitted
    for name in ADMIN_SAMPLE:
        response = client.get(reverse(name))
        if admitted:
            assert response.status_code == 200, name
        else:
            assert outcome(response) in ("in", "no"), (name, response.status_code)
            assert not [m for m in world.markers["B"] if m in response.content.decode()], name


def _state(world: World) -> tuple[Any, ...]:
    """What any change on the paper, invitation or review screens would alter."""
    from hailong.audit.models import AuditEntry

    return (
        sorted(PaperBatch.objects.values_list("pk", "closed_at")),
        sorted(PaperEntry.objects.values_list("pk", "answers")),
        sorted(InvitationCode.objects.values_list("code", flat=True)),
        sorted(Response.objects.values_list("pk", "review")),
        AuditEntry.objects.count(),
    )


def test_auditors_read_the_mixed_screens_without_a_way_to_change_anything(world: World) -> None:
    """Issue #5: the lists, batches, mismatches and queue open; no form; every POST is a 403."""
    batch = world.batches["A"]
    PaperEntry.objects.create(
        batch=batch, sheet_number=1, clerk=world.targets["B"], answers={"tong_the": 5}
    )  # a second copy that differs: a mismatch to read
    auditor = User.objects.create_user("kiem-toan", password="x" * 16)
    RoleAssignment.objects.create(user=auditor, role=Role.AUDITOR, unit=None)
    client = Client()
    client.force_login(auditor)

    reads = {
        reverse("invitations:list"): [world.invitations["A"].file_number],
        reverse("entry:index"): [batch.number, world.batches["B"].number],
        reverse("entry:batch", kwargs={"pk": batch.pk}): ["muc-tieu-A"],
        reverse("entry:mismatches", kwargs={"pk": batch.pk}): ["tong_the"],
        reverse("review_queue"): [world.responses["A"].receipt, world.responses["B"].receipt],
    }
    changing = [
        reverse("invitations:upload"),
        reverse("entry:batch_new"),
        reverse("entry:upload"),
        reverse("entry:sheet", kwargs={"pk": batch.pk}),
        reverse("entry:batch_close", kwargs={"pk": batch.pk}),
        reverse("entry:resolve", kwargs={"pk": batch.pk, "number": 1}),
        'name="quyet_dinh"',
        'name="chon"',
        'name="pick-',
    ]
    home = client.get(reverse("accounts:home")).content.decode()
    assert all(url in home for url in reads if "/lo/" not in url)  # the screens are on the home
    for url, shown in reads.items():
        page = client.get(url)
        body = page.content.decode()
        assert page.status_code == 200, url
        assert all(s in body for s in shown), (url, [s for s in shown if s not in body])
        assert not [c for c in changing if c in body], (url, [c for c in changing if c in body])
    assert client.get(reverse("invitations:csv")).status_code == 200
    assert world.invitations["A"].code in client.get(reverse("invitations:csv")).content.decode()
    assert client.get(reverse("invitations:slips")).status_code == 200

    before = _state(world)
    posts = {
        reverse("invitations:upload"): {"campaign": world.campaign.pk},
        reverse("invitations:create"): {"token": "x"},
        reverse("entry:batch_new"): {"campaign": world.campaign.pk, "unit": world.units["A"].pk,
                                     "number": "LO-moi", "expected_sheets": 3},
        reverse("entry:sheet", kwargs={"pk": batch.pk}): {"sheet_number": 2, "q-tong_the": "4"},
        reverse("entry:resolve", kwargs={"pk": batch.pk, "number": 1}): {"pick-tong_the": "first"},
        reverse("entry:batch_close", kwargs={"pk": batch.pk}): {},
        reverse("entry:upload"): {"campaign": world.campaign.pk},
        reverse("entry:upload_commit"): {"campaign": world.campaign.pk, "digest": "0" * 64},
        reverse("review_queue"): {"chon": [world.responses["A"].pk], "quyet_dinh": "accepted",
                                  "ly_do": "kiểm toán"},
    }  # fmt: skip
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    for url in (reverse("invitations:upload"), reverse("invitations:template"),
                reverse("entry:batch_new"), reverse("entry:upload"),
                reverse("entry:sheet", kwargs={"pk": batch.pk})):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert _state(world) == before
