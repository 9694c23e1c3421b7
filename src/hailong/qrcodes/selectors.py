"""Reading what QR codes are printed for: units in the user's scope, their desks and procedures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from hailong.accounts.models import Role, User
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.units.models import Desk, Service, Unit, UnitKind
from hailong.units.selectors import unit_name_key, units_by_name_queryset

from .links import link_make, path_printed

PRINT_ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.UNIT_MANAGER)


@dataclass(frozen=True)
class Code:
    """One printed code: what it names and the path of its link."""

    unit: Unit
    service: Service | None = None
    desk: Desk | None = None

    @property
    def path(self) -> str:
        return link_make(unit=self.unit, service=self.service, desk=self.desk)

    @property
    def token(self) -> str:
        return self.path.removeprefix("/q/")

    @property
    def path_printed(self) -> str:
        return path_printed(self.path)


def printable_units(*, user: User, query: str = "") -> QuerySet[Unit]:
    """Current units the user may print codes for, optionally those whose name or code matches."""
    today = timezone.localdate()
    units = units_in_scope(user=user, roles=PRINT_ROLES).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__iexact=query))
    return units_by_name_queryset(units, key=lambda u: (u.depth, u.kind, unit_name_key(u)))


def unit_services(*, unit: Unit, query: str = "") -> QuerySet[Service]:
    services = unit.services.all()
    if query:
        services = services.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return services.order_by("field", "name")


def unit_desks(*, unit: Unit) -> QuerySet[Desk]:
    return unit.desks.filter(active=True).order_by("code")


def unit_codes(*, unit: Unit, by: str = "service") -> list[Code]:
    """The codes of a sheet of slips: one per procedure (or per active desk); the unit's own if none."""
    codes: list[Code]
    if by == "desk":
        codes = [Code(unit=unit, desk=desk) for desk in unit_desks(unit=unit)]
    else:
        codes = [Code(unit=unit, service=service) for service in unit_services(unit=unit)]
    return codes or [Code(unit=unit)]


def province_name() -> str:
    root = Unit.objects.filter(kind=UnitKind.PROVINCE, parent=None).only("name").first()
    return root.name if root else ""


def open_campaign(*, unit: Unit) -> Campaign | None:
    """The survey whose period a poster prints: the one a scan opens today
    (``collection.views._campaign_for``: running now, taking web or QR answers, the year's
    survey before a desk form), else the next to open (a poster printed ahead of it)."""
    today = timezone.localdate()
    found = Campaign.objects.filter(
        status=Campaign.Status.OPEN, scope__unit=unit, period_end__gte=today
    ).select_related("instrument")
    scanned = [c for c in found if not c.channels or {"web", "qr"} & set(c.channels)]
    return min(
        scanned,
        key=lambda c: (c.period_start > today, c.instrument.kind != "yearly", c.period_start),
        default=None,
    )
