"""Reading invitation codes: checking a typed code, their status, the lists staff see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.core.formats import date_vn
from hailong.units.models import Unit

from .codes import code_display, code_normalise
from .models import InvitationCode

#: Roles that create codes for the units they hold.
CHANGE_ROLES: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.UNIT_MANAGER,
    Role.CLERK,
)
#: Roles that read the lists, CSV and slips; auditors read everything and change nothing (#5).
READ_ROLES: tuple[str, ...] = (*CHANGE_ROLES, Role.AUDITOR)


def units_may_read(*, user: User) -> QuerySet[Unit]:
    """Units whose codes the user may list, download and print."""
    return units_in_scope(user=user, roles=READ_ROLES)


def units_may_change(*, user: User) -> QuerySet[Unit]:
    """Units the user may create codes for: never an auditor's."""
    return units_in_scope(user=user, roles=CHANGE_ROLES)


REASONS = ("malformed", "unknown", "expired", "used", "campaign_closed")
STATUSES = ("unused", "used", "expired")


class InvitationRefused(Exception):
    """A code that cannot be answered with; ``reason`` is one of :data:`REASONS`.

    ``vi`` and ``en`` say why to the respondent; ``invitation`` is the code's row when
    there is one (not for a malformed or unknown code).
    """

    def __init__(
        self, reason: str, vi: str, en: str, invitation: InvitationCode | None = None
    ) -> None:
        super().__init__(f"{vi} / {en}")
        self.reason, self.vi, self.en, self.invitation = reason, vi, en, invitation


def invitation_check(code: str, *, today: dt.date) -> InvitationCode:
    """The invitation a typed code names, if it may be answered with today; else refuse."""
    canonical = code_normalise(code)
    if canonical is None:
        raise InvitationRefused(
            "malformed",
            "Mã không đúng: mã gồm 10 ký tự (chữ và số), có thể đã gõ nhầm một ký tự.",
            "This code is not valid: codes have 10 letters and digits; a character may be mistyped.",
        )
    invitation = (
        InvitationCode.objects.select_related("campaign", "unit", "service")
        .filter(code=canonical)
        .first()
    )
    if invitation is None:
        raise InvitationRefused(
            "unknown",
            f"Không có mã {code_display(canonical)}. Xin kiểm tra lại mã trên phiếu hẹn.",
            f"There is no code {code_display(canonical)}. Please check the code on your slip.",
        )
    if invitation.used_at is not None:
        day = date_vn(timezone.localtime(invitation.used_at))
        raise InvitationRefused(
            "used",
            f"Mã này đã được dùng để đánh giá ngày {day}. Mỗi mã chỉ dùng được một lần.",
            f"This code was already used to give an answer on {day}. A code can be used once.",
            invitation,
        )
    campaign = invitation.campaign
    if campaign.status != Campaign.Status.OPEN or not (
        campaign.period_start <= today <= campaign.period_end
    ):
        raise InvitationRefused(
            "campaign_closed",
            f"Đợt khảo sát “{campaign.name}” hiện không nhận ý kiến.",
            f"The survey “{campaign.name}” is not taking answers now.",
            invitation,
        )
    if invitation.expires_on < today:
        day = date_vn(invitation.expires_on)
        raise InvitationRefused(
            "expired",
            f"Mã này đã hết hạn ngày {day}.",
            f"This code expired on {day}.",
            invitation,
        )
    return invitation


def invitation_status(invitation: InvitationCode, *, today: dt.date) -> str:
    """``unused``, ``used`` or ``expired`` (an unused code past its date)."""
    if invitation.used_at is not None:
        return "used"
    return "expired" if invitation.expires_on < today else "unused"


def invitations_list(
    *,
    units: QuerySet[Unit],
    today: dt.date,
    campaign: Campaign | None = None,
    unit: Unit | None = None,
    status: str = "",
    batch: str = "",
    search: str = "",
) -> QuerySet[InvitationCode]:
    """Codes of the given units, filtered as the back-office list asks."""
    codes = InvitationCode.objects.filter(unit__in=units).select_related(
        "campaign", "unit", "service"
    )
    if campaign is not None:
        codes = codes.filter(campaign=campaign)
    if unit is not None:
        codes = codes.filter(unit__path__startswith=unit.path)
    if status == "used":
        codes = codes.filter(used_at__isnull=False)
    elif status == "unused":
        codes = codes.filter(used_at__isnull=True, expires_on__gte=today)
    elif status == "expired":
        codes = codes.filter(used_at__isnull=True, expires_on__lt=today)
    if batch:
        codes = codes.filter(batch=batch)
    if search:
        canonical = code_normalise(search)
        codes = codes.filter(code=canonical) if canonical else codes.filter(file_number=search)
    return codes.order_by("-created_at", "file_number")
