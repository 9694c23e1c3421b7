"""The review queue: flagged answers wait for a coordinator's decision, logged with a reason."""

from __future__ import annotations

import pytest
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.audit.models import AuditEntry
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_new
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"


def answer(campaign: Campaign, unit: str, flags: list[str], n: int) -> Response:
    from django.utils import timezone

    return Response.objects.create(
        receipt=receipt_new(campaign.year), idempotency_key=f"t-{unit}-{n}", campaign=campaign,
        instrument=campaign.instrument, unit=Unit.objects.get(code=unit), source="web",
        collection_mode="online", submitted_at=timezone.now(), answers={"tong_the": 5},
        flags=flags, review="flagged" if flags else "accepted", fill_seconds=2,
    )  # fmt: skip


def signed_in(client: Client, role: str, unit: str | None = None) -> User:
    user = User.objects.create_user(f"u-{role}", password=PASSWORD)
    RoleAssignment.objects.create(
        user=user, role=role, unit=Unit.objects.get(code=unit) if unit else None
    )
    client.force_login(user)
    return user


def test_a_coordinator_rejects_flagged_answers_with_a_reason(
    open_campaign: Campaign, client: Client
) -> None:
    fast = answer(open_campaign, "14797", ["too_fast"], 1)
    twin = answer(open_campaign, "14797", ["near_duplicate"], 2)
    fine = answer(open_campaign, "14800", [], 3)
    signed_in(client, Role.COORDINATOR)
    page = client.get("/quan-tri/xet-duyet/").content.decode()
    assert fast.receipt in page and twin.receipt in page and fine.receipt not in page
    assert "trả lời quá nhanh" in page
    only_fast = client.get("/quan-tri/xet-duyet/", {"ly-do": "too_fast"}).content.decode()
    assert fast.receipt in only_fast and twin.receipt not in only_fast

    before = Response.objects.get(pk=fast.pk).changed_at
    no_reason = client.post("/quan-tri/xet-duyet/", {"chon": [fast.pk], "quyet_dinh": "rejected"})
    assert no_reason.status_code == 302 and Response.objects.get(pk=fast.pk).review == "flagged"
    client.post("/quan-tri/xet-duyet/", {"chon": [fast.pk, twin.pk], "quyet_dinh": "rejected",
                                         "ly_do": "Cùng máy, 2 giây"})  # fmt: skip
    decided = {r.pk: r for r in Response.objects.filter(pk__in=[fast.pk, twin.pk])}
    assert {r.review for r in decided.values()} == {"rejected"}  # kept, never counted
    assert decided[fast.pk].changed_at > before  # the analytics store sees the decision
    entry = AuditEntry.objects.get(action="review.reject")
    assert entry.reason == "Cùng máy, 2 giây" and entry.data["count"] == 2
    again = client.post("/quan-tri/xet-duyet/", {"chon": [fast.pk], "quyet_dinh": "accepted",
                                                 "ly_do": "nhầm"})  # fmt: skip
    assert again.status_code == 302 and Response.objects.get(pk=fast.pk).review == "rejected"


def test_unit_managers_and_clerks_cannot_review(open_campaign: Campaign, client: Client) -> None:
    flagged = answer(open_campaign, "14797", ["too_fast"], 1)
    signed_in(client, Role.UNIT_MANAGER, "14797")  # a unit must not clear its own ratings
    assert client.get("/quan-tri/xet-duyet/").status_code == 403
    refused = client.post("/quan-tri/xet-duyet/", {"chon": [flagged.pk], "quyet_dinh": "accepted",
                                                   "ly_do": "ok"})  # fmt: skip
    assert refused.status_code == 403 and Response.objects.get(pk=flagged.pk).review == "flagged"
    client.logout()
    assert client.get("/quan-tri/xet-duyet/").status_code == 302  # to the sign-in page
