"""API keys: shown once, stored as a hash, checked for activity, expiry and scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from hailong.accounts.models import User
from hailong.integrations.models import ApiKey
from hailong.integrations.selectors import ApiKeyRefused, api_key_check
from hailong.integrations.services import api_key_create
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def refused(raw: str | None, scope: str = "invitations:write") -> ApiKeyRefused:
    with pytest.raises(ApiKeyRefused) as exc:
        api_key_check(raw, scope=scope)
    return exc.value


def test_a_key_is_stored_only_as_its_hash() -> None:
    key, raw = api_key_create(name="Một cửa", scopes=["invitations:write"])
    assert re.fullmatch(r"hl_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}", raw)
    assert raw.split("_")[1] == key.prefix
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(v) for v in ApiKey.objects.values().get().values())


def test_a_good_key_passes_and_others_are_refused_with_their_status() -> None:
    key, raw = api_key_create(name="Một cửa", scopes=["invitations:write"])
    assert api_key_check(f" {raw} ", scope="invitations:write") == key
    assert (refused(None).status, refused("").status) == (401, 401)
    assert "missing" in refused(None).en and "Thiếu" in refused(None).vi
    assert refused(raw + "x").status == 401
    assert refused("not-a-key").status == 401
    scope = refused(raw, "receipts:read")
    assert scope.status == 403 and "receipts:read" in scope.en and "receipts:read" in scope.vi
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert refused(raw).status == 401 and "expired" in refused(raw).en
    ApiKey.objects.filter(pk=key.pk).update(expires_at=None, active=False)
    assert refused(raw).status == 401 and "disabled" in refused(raw).en


def test_a_key_acts_for_its_units_subtrees_or_the_whole_province() -> None:
    root = Unit.objects.create(code="38", name="Tỉnh", kind=UnitKind.PROVINCE)
    dept = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=root)
    office = Unit.objects.create(
        code="SNV-1", name="Văn phòng", kind=UnitKind.DEPARTMENT, parent=dept
    )
    Unit.objects.create(code="STC", name="Sở Tài chính", kind=UnitKind.DEPARTMENT, parent=root)
    key, _ = api_key_create(name="Sở", scopes=[], units=[dept])
    assert set(key.units_in_scope()) == {dept, office}
    assert not api_key_create(name="Không", scopes=[])[0].units_in_scope().exists()
    assert (
        api_key_create(name="Tỉnh", scopes=[], whole_province=True)[0].units_in_scope().count() == 4
    )


def test_the_admin_shows_a_new_key_once(client: Client) -> None:
    admin = User.objects.create_superuser("quantri", password="x" * 12)
    client.force_login(admin)
    response = client.post(
        "/quan-tri/integrations/apikey/add/",
        {"name": "Kiosk", "scopes": ["answers:write", "receipts:read"], "active": "on"},
        follow=True,
    )
    page = response.content.decode()
    key = ApiKey.objects.get()
    assert key.scopes == ["answers:write", "receipts:read"]
    raw = re.search(r"hl_[0-9a-f]{8}_[A-Za-z0-9_-]+", page)
    assert raw is not None and api_key_check(raw.group(0), scope="answers:write") == key
    listing = client.get("/quan-tri/integrations/apikey/").content.decode()
    assert key.prefix in listing and raw.group(0) not in listing
