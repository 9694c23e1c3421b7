"""Reading campaigns, and what each staff member may see and change of them."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.collection.models import Response
from hailong.units.models import Unit
from hailong.units.selectors import unit_name_key, units_by_name_queryset

from .models import Campaign, CampaignUnit


def campaign_by_code(code: str) -> Campaign:
    """The campaign a command names; an unknown code lists the known ones."""
    campaign = Campaign.objects.filter(code=code).select_related("instrument").first()
    if campaign is None:
        known = (
            ", ".join(Campaign.objects.order_by("-year").values_list("code", flat=True)) or "(none)"
        )
        raise CommandError(f"Không có đợt khảo sát '{code}' / no campaign '{code}'. Known: {known}")
    return campaign


READ_ROLES: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.UNIT_MANAGER,
    Role.VIEWER,
    Role.AUDITOR,
)
CHANGE_ROLES: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR)


def _province_wide(*, user: User, roles: tuple[str, ...]) -> bool:
    return user.is_active and (
        user.is_superuser or user.roles.filter(role__in=roles, unit__isnull=True).exists()
    )


def campaigns_visible(*, user: User) -> QuerySet[Campaign]:
    """Campaigns a reader sees: every one for the whole province, else those covering one of
    their units; each with its answers so far and quota total counted over the units they see."""
    units = units_in_scope(user=user, roles=READ_ROLES)
    found = Campaign.objects.select_related("instrument")
    if not _province_wide(user=user, roles=READ_ROLES):
        found = found.filter(scope__unit__in=units).distinct()
    answers = (
        Response.objects.filter(campaign=OuterRef("pk"), unit__in=units)
        .exclude(review=Response.Review.REJECTED)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    quota = (
        CampaignUnit.objects.filter(campaign=OuterRef("pk"), unit__in=units)
        .order_by()
        .values("campaign")
        .annotate(n=Sum("quota"))
        .values("n")
    )
    return found.annotate(
        answers_so_far=Coalesce(Subquery(answers), 0), quota_total=Coalesce(Subquery(quota), 0)
    )


def campaign_units(*, campaign: Campaign, user: User) -> QuerySet[CampaignUnit]:
    """The units in scope the user may read, with their answers so far (rejected ones aside)."""
    answers = (
        Response.objects.filter(campaign=campaign, unit=OuterRef("unit"))
        .exclude(review=Response.Review.REJECTED)
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        campaign.scope.filter(unit__in=units_in_scope(user=user, roles=READ_ROLES))
        .select_related("unit")
        .annotate(answers_so_far=Coalesce(Subquery(answers), 0))
        .order_by("unit__path")
    )


def campaign_changeable(*, user: User, campaign: Campaign | None = None) -> bool:
    """Administrators and coordinators change a campaign whose units all lie in their scope."""
    if not user.is_active:
        return False
    if not (user.is_superuser or user.roles.filter(role__in=CHANGE_ROLES).exists()):
        return False
    if campaign is None or _province_wide(user=user, roles=CHANGE_ROLES):
        return True
    mine = units_in_scope(user=user, roles=CHANGE_ROLES)
    return not campaign.scope.exclude(unit__in=mine).exists()


def scope_roots(*, user: User) -> QuerySet[Unit]:
    """Subtrees a changer may put in scope: the top two levels of the tree within their units."""
    roots = (
        units_in_scope(user=user, roles=CHANGE_ROLES)
        .filter(valid_to__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    )  # each level first, in Vietnamese alphabetical order within it
    return units_by_name_queryset(roots, key=lambda u: (u.depth, unit_name_key(u)))
