"""A campaign moves draft → open → closed → published, each step with a reason, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hailong.audit.models import AuditEntry
from hailong.audit.selectors import audit_verify
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.campaigns.services import TransitionRefused, campaign_transition
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.results.models import Computation
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Campaign:
    builtin_instruments_load()
    today = timezone.localdate()
    return Campaign.objects.create(
        code="sipas-nay", name="Khảo sát năm nay", year=today.year,
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
        period_start=today, period_end=today + dt.timedelta(days=30), channels=["web", "qr"],
    )  # fmt: skip


def test_opening_needs_units_a_quota_and_a_channel(draft: Campaign) -> None:
    """A campaign with nothing to collect, nobody to count or no way in must not open."""
    Campaign.objects.filter(pk=draft.pk).update(channels=[])
    with pytest.raises(TransitionRefused, match="no units in scope") as refused:
        campaign_transition(campaign=draft, to="open", reason="Theo kế hoạch")
    assert "chưa có đơn vị nào" in refused.value.vi
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    planned = CampaignUnit.objects.create(campaign=draft, unit=ward, quota=0)
    with pytest.raises(TransitionRefused, match="no unit of the campaign has a quota") as refused:
        campaign_transition(campaign=draft, to="open", reason="Theo kế hoạch")
    assert "chưa giao chỉ tiêu" in refused.value.vi
    CampaignUnit.objects.filter(pk=planned.pk).update(quota=150)
    with pytest.raises(TransitionRefused, match="no open channel") as refused:
        campaign_transition(campaign=draft, to="open", reason="Theo kế hoạch")
    assert "chưa mở kênh thu phiếu" in refused.value.vi
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.instrument.frozen_at is None  # refused: unchanged
    assert not AuditEntry.objects.filter(action="campaign.open").exists()
    Campaign.objects.filter(pk=draft.pk).update(channels=["paper"])
    assert campaign_transition(campaign=draft, to="open", reason="Đủ kế hoạch").status == "open"


def test_the_campaign_steps_in_order_with_reasons(draft: Campaign) -> None:
    with pytest.raises(TransitionRefused, match="no units in scope"):
        campaign_transition(campaign=draft, to="open", reason="Theo kế hoạch")
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=draft, unit=ward, quota=200)
    with pytest.raises(TransitionRefused, match="give a reason"):
        campaign_transition(campaign=draft, to="open", reason="  ")
    with pytest.raises(TransitionRefused, match="cannot go from 'draft' to 'published'"):
        campaign_transition(campaign=draft, to="published", reason="Vội")

    opened = campaign_transition(campaign=draft, to="open", reason="Kế hoạch số 12/KH-UBND")
    assert opened.status == "open" and opened.instrument.frozen_at is not None
    closed = campaign_transition(campaign=opened, to="closed", reason="Hết thời gian thu phiếu")
    with pytest.raises(TransitionRefused, match="no results yet"):
        campaign_transition(campaign=closed, to="published", reason="Công bố")
    assert Campaign.objects.get(pk=draft.pk).status == "closed"  # refused: nothing changed
    computation = Computation.objects.create(
        campaign=draft, instrument=draft.instrument, n_answers=0, digest="ab" * 32
    )
    published = campaign_transition(campaign=closed, to="published", reason="Đã thẩm định")
    assert published.status == "published"
    assert Computation.objects.get(pk=computation.pk).published_at is not None

    steps = list(
        AuditEntry.objects.filter(action__startswith="campaign.").order_by("seq")
        .values_list("action", "reason")
    )  # fmt: skip
    assert steps == [("campaign.open", "Kế hoạch số 12/KH-UBND"),
                     ("campaign.closed", "Hết thời gian thu phiếu"),
                     ("campaign.published", "Đã thẩm định")]  # fmt: skip
    assert AuditEntry.objects.get(action="campaign.published").data["digest"] == "ab" * 32
    assert audit_verify().ok


def test_a_campaign_whose_period_is_over_cannot_open(draft: Campaign) -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=draft, unit=ward, quota=200)
    Campaign.objects.filter(pk=draft.pk).update(
        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 2, 1)
    )
    with pytest.raises(TransitionRefused, match="period is over"):
        campaign_transition(campaign=draft, to="open", reason="Mở lại")


def test_the_command_needs_a_reason_and_says_what_is_wrong(draft: Campaign) -> None:
    with pytest.raises(CommandError, match="cannot go from 'draft' to 'closed'"):
        call_command("campaign", "sipas-nay", "close", reason="Thử")


def test_hailong_publish_follows_the_steps(draft: Campaign) -> None:
    Computation.objects.create(
        campaign=draft, instrument=draft.instrument, n_answers=0, digest="cd" * 32
    )
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.OPEN)
    with pytest.raises(CommandError, match="cannot go from 'open' to 'published'"):
        call_command("publish", "sipas-nay")  # still collecting: close it first
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.CLOSED)
    call_command("publish", "sipas-nay", reason="Đã thẩm định")
    assert Campaign.objects.get(pk=draft.pk).status == "published"
    assert AuditEntry.objects.get(action="campaign.published").reason == "Đã thẩm định"
