"""invitation_check: every reason a typed code is refused, and the lists staff filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hailong.campaigns.models import Campaign
from hailong.invitations.codes import code_display
from hailong.invitations.models import InvitationCode
from hailong.invitations.selectors import InvitationRefused, invitation_check, invitations_list
from hailong.invitations.services import invitations_create
from hailong.units.models import Unit

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(world: World) -> InvitationCode:
    (made,) = invitations_create(campaign=world.campaign, rows=[(2, world.row("H1"))])
    return made


def refused(typed: str, today: dt.date) -> InvitationRefused:
    with pytest.raises(InvitationRefused) as exc:
        invitation_check(typed, today=today)
    return exc.value


def test_a_valid_code_is_found_however_it_is_typed(world: World, code: InvitationCode) -> None:
    typed = code_display(code.code).lower().replace("0", "o")
    assert invitation_check(typed, today=world.today) == code


def test_a_mistyped_code_is_malformed(world: World, code: InvitationCode) -> None:
    wrong = code.code[:-1] + ("0" if code.code[-1] != "0" else "1")
    reason = refused(wrong, world.today)
    assert reason.reason == "malformed" and reason.invitation is None
    assert "10 ký tự" in reason.vi and "10 letters" in reason.en


def test_a_code_never_made_is_unknown(world: World, code: InvitationCode) -> None:
    code.delete()
    reason = refused(code.code, world.today)
    assert reason.reason == "unknown" and code_display(code.code) in reason.en


def test_a_used_code_says_when_it_was_used(world: World, code: InvitationCode) -> None:
    moment = timezone.make_aware(dt.datetime(2026, 3, 4, 23, 30), dt.UTC)  # 05/03 in Hà Nội time
    InvitationCode.objects.filter(pk=code.pk).update(used_at=moment, receipt="2026-AAAA-BBBB-C")
    reason = refused(code.code, world.today)
    assert reason.reason == "used" and reason.invitation == code
    assert reason.vi.startswith("Mã này đã được dùng để đánh giá ngày 05/03/2026")


def test_an_expired_code_says_since_when(world: World, code: InvitationCode) -> None:
    later = code.expires_on + dt.timedelta(days=1)
    world.campaign.period_end = later
    world.campaign.save()
    reason = refused(code.code, later)
    assert reason.reason == "expired" and code.expires_on.strftime("%d/%m/%Y") in reason.vi
    assert invitation_check(code.code, today=code.expires_on) == code  # the last day counts


@pytest.mark.parametrize("status", [Campaign.Status.DRAFT, Campaign.Status.CLOSED])
def test_a_code_of_a_campaign_not_open_is_refused(
    world: World, code: InvitationCode, status: str
) -> None:
    world.campaign.status = status
    world.campaign.save()
    assert refused(code.code, world.today).reason == "campaign_closed"


def test_a_code_after_the_campaign_period_is_refused(world: World, code: InvitationCode) -> None:
    assert refused(code.code, world.campaign.period_end + dt.timedelta(days=1)).reason == (
        "campaign_closed"
    )


def test_the_list_filters_by_status_unit_and_search(world: World) -> None:
    made = invitations_create(
        campaign=world.campaign,
        rows=[(2, world.row("H1")), (3, world.row("H2", world.b)), (4, world.row("H3"))],
    )
    InvitationCode.objects.filter(pk=made[0].pk).update(used_at=timezone.now())
    InvitationCode.objects.filter(pk=made[2].pk).update(
        expires_on=world.today - dt.timedelta(days=1)
    )
    everything = Unit.objects.all()

    def listed(**filters: object) -> list[str]:
        codes = invitations_list(units=everything, today=world.today, **filters)  # type: ignore[arg-type]
        return sorted(c.file_number for c in codes)

    assert listed() == ["H1", "H2", "H3"]
    assert listed(status="used") == ["H1"]
    assert listed(status="unused") == ["H2"]
    assert listed(status="expired") == ["H3"]
    assert listed(unit=world.b) == ["H2"]
    assert listed(search=code_display(made[1].code).lower()) == ["H2"]
    assert listed(search="H3") == ["H3"]
    only_a = invitations_list(units=Unit.objects.filter(pk=world.a.pk), today=world.today)
    assert sorted(c.file_number for c in only_a) == ["H1", "H3"]
