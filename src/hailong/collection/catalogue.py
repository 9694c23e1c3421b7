"""What the submission path must know about campaigns, units and procedures, kept in memory.

The fast route must not query the database to learn that unit 14797 exists. It reads a
:class:`Catalogue` snapshot, rebuilt at most every ``TTL`` seconds in a worker thread; a
campaign opened or closed in the back office is seen by every process within that time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field

from hailong.measurement.answers import AnswerChecker

TTL = 10.0


@dataclass(frozen=True)
class CampaignEntry:
    id: int
    code: str
    year: int
    status: str
    period_start: dt.date
    period_end: dt.date
    channels: frozenset[str]
    instrument_id: int
    checker: AnswerChecker
    unit_ids: frozenset[int]
    item_codes: tuple[str, ...]
    profile_codes: frozenset[str]

    def accepts(self, today: dt.date) -> bool:
        return self.status == "open" and self.period_start <= today <= self.period_end


@dataclass
class Catalogue:
    campaigns: dict[int, CampaignEntry] = field(default_factory=dict)
    campaigns_by_code: dict[str, CampaignEntry] = field(default_factory=dict)
    units_by_code: dict[str, int] = field(default_factory=dict)
    unit_codes: dict[int, str] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    #: The last day of units that have ended (merged, split, dissolved); answers after it go
    #: to the units that replaced them.
    unit_ends: dict[int, dt.date] = field(default_factory=dict)
    services_by_code: dict[str, int] = field(default_factory=dict)
    service_units: dict[int, frozenset[int]] = field(default_factory=dict)
    loaded_at: float = 0.0


def catalogue_load() -> Catalogue:
    """Read the catalogue from the database (synchronous; run it in a thread)."""
    from hailong.campaigns.models import Campaign, CampaignUnit
    from hailong.units.models import Service, Unit

    catalogue = Catalogue(loaded_at=time.monotonic())
    scopes: dict[int, set[int]] = {}
    for campaign_id, unit_id in CampaignUnit.objects.values_list("campaign_id", "unit_id"):
        scopes.setdefault(campaign_id, set()).add(unit_id)
    checkers: dict[int, AnswerChecker] = {}
    for campaign in Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related(
        "instrument"
    ):
        version = campaign.instrument
        if version.pk not in checkers:
            checkers[version.pk] = AnswerChecker(version.to_core())
        checker = checkers[version.pk]
        entry = CampaignEntry(
            id=campaign.pk,
            code=campaign.code,
            year=campaign.year,
            status=campaign.status,
            period_start=campaign.period_start,
            period_end=campaign.period_end,
            channels=frozenset(campaign.channels or ()),
            instrument_id=version.pk,
            checker=checker,
            unit_ids=frozenset(scopes.get(campaign.pk, ())),
            item_codes=tuple(q.code for q in checker.instrument.items()),
            profile_codes=frozenset(
                q.code for q in checker.instrument.questions() if q.role == "profile"
            ),
        )
        catalogue.campaigns[entry.id] = entry
        catalogue.campaigns_by_code[entry.code] = entry
    for pk, code, name, valid_to in Unit.objects.values_list("pk", "code", "name", "valid_to"):
        catalogue.units_by_code[code] = pk
        catalogue.unit_codes[pk] = code
        catalogue.unit_names[pk] = name
        if valid_to is not None:
            catalogue.unit_ends[pk] = valid_to
    offered: dict[int, set[int]] = {}
    for service_id, unit_id in Service.units.through.objects.values_list("service_id", "unit_id"):
        offered.setdefault(service_id, set()).add(unit_id)
    for pk, code in Service.objects.values_list("pk", "code"):
        catalogue.services_by_code[code] = pk
        catalogue.service_units[pk] = frozenset(offered.get(pk, ()))
    return catalogue


def unit_retired(catalogue: Catalogue, unit_id: int, today: dt.date) -> dt.date | None:
    """The last day of a unit that no longer exists today, or None while it does."""
    end = catalogue.unit_ends.get(unit_id)
    return end if end is not None and end < today else None


class CatalogueCache:
    """The current snapshot, refreshed in a thread when older than ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._current: Catalogue | None = None
        self._refreshing: asyncio.Task[Catalogue] | None = None

    async def get(self) -> Catalogue:
        self.refresh_done()
        current = self._current
        if current is not None and time.monotonic() - current.loaded_at < self.ttl:
            return current
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(asyncio.to_thread(_load_closing))
        if current is not None:
            return current  # serve the old snapshot while the new one loads
        self._current = await self._refreshing
        return self._current

    def refresh_done(self) -> None:
        if self._refreshing is not None and self._refreshing.done():
            if self._refreshing.exception() is None:
                self._current = self._refreshing.result()
            self._refreshing = None

    def clear(self) -> None:
        self._current = None
        self._refreshing = None


def _load_closing() -> Catalogue:
    from django.db import close_old_connections, connection

    close_old_connections()
    try:
        return catalogue_load()
    finally:
        connection.close()
