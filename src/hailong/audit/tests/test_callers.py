"""The first real callers: publishing results, granting roles in the admin, questionnaires."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.models import AuditEntry
from hailong.audit.selectors import audit_verify
from hailong.campaigns.models import Campaign
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import (
    builtin_instruments_load,
    instrument_freeze,
    instrument_new_version,
)
from hailong.results.models import Computation
from hailong.results.services import campaign_publish
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_publishing_results_is_logged_with_the_computation() -> None:
    builtin_instruments_load()
    version = InstrumentVersion.objects.get(code="sipas-2017-province")
    campaign = Campaign.objects.create(
        code="sipas-2025", name="SIPAS 2025", year=2025, instrument=version,
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
    )  # fmt: skip
    computation = Computation.objects.create(
        campaign=campaign, instrument=version, n_answers=10, digest="a" * 64
    )
    campaign_publish(campaign=campaign)
    entry = AuditEntry.objects.get(action="results.publish")
    assert entry.object_type == "campaigns.campaign" and entry.object_id == str(campaign.pk)
    assert entry.data == {"computation": computation.pk, "digest": "a" * 64}
    assert entry.actor_label == "hailong publish" and audit_verify().ok


def test_freezing_and_new_versions_are_logged_once() -> None:
    builtin_instruments_load()
    version = InstrumentVersion.objects.get(code="desk-quick")
    instrument_freeze(version=version)
    instrument_freeze(version=InstrumentVersion.objects.get(pk=version.pk))  # already frozen
    boss = User.objects.create_user("boss")
    copy = instrument_new_version(version=version, actor=boss)
    assert actions() == ["instrument.freeze", "instrument.new_version"]
    made = AuditEntry.objects.get(action="instrument.new_version")
    assert made.actor_id == boss.pk and made.object_id == str(copy.pk)
    assert made.data == {"code": "desk-quick", "from": version.version, "to": copy.version}


def test_roles_granted_changed_and_revoked_in_the_admin_are_logged() -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    admin = User.objects.create_superuser("quantri", password="mat-khau-rat-dai-2026")
    lan = User.objects.create_user("lan")
    client = Client()
    client.force_login(admin)
    url = f"/quan-tri/accounts/user/{lan.pk}/change/"
    form = {
        "username": "lan", "date_joined_0": "01/03/2026", "date_joined_1": "08:00:00",
        "roles-TOTAL_FORMS": "1", "roles-INITIAL_FORMS": "0",
        "roles-0-role": Role.CLERK, "roles-0-unit": str(ward.pk),
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=lan)
    grant = AuditEntry.objects.get(action="user.role_grant")
    assert grant.actor_id == admin.pk and grant.unit_id == ward.pk
    assert grant.data == {"user": "lan", "role": "clerk", "unit": "14797"}

    form.update({
        "roles-INITIAL_FORMS": "1", "roles-0-id": str(assignment.pk), "roles-0-user": str(lan.pk),
        "roles-0-role": Role.UNIT_MANAGER,
    })  # fmt: skip
    assert client.post(url, form).status_code == 302
    form["roles-0-DELETE"] = "on"
    assert client.post(url, form).status_code == 302
    assert not RoleAssignment.objects.filter(user=lan).exists()
    assert actions() == [
        "user.role_grant",
        "user.role_revoke",
        "user.role_grant",
        "user.role_revoke",
    ]
    revoked = AuditEntry.objects.filter(action="user.role_revoke").order_by("seq")
    assert [e.data["role"] for e in revoked] == ["clerk", "unit_manager"]
    assert revoked[1].object_id == str(assignment.pk) and audit_verify().ok


def test_deleting_a_user_in_the_admin_logs_their_roles_revoked() -> None:
    admin = User.objects.create_superuser("quantri", password="mat-khau-rat-dai-2026")
    lan = User.objects.create_user("lan")
    RoleAssignment.objects.create(user=lan, role=Role.VIEWER, unit=None)
    client = Client()
    client.force_login(admin)
    response = client.post(f"/quan-tri/accounts/user/{lan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert actions() == ["user.role_revoke"] and audit_verify().ok
