"""Building the demo province: Thanh Hóa's units, procedures, questionnaires, a 2024 campaign, answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.db import transaction

from hailong.campaigns.models import Campaign, CampaignUnit, Channel
from hailong.collection.models import Response
from hailong.collection.services import receipts_unused
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load, instrument_freeze
from hailong.units.models import Unit, UnitKind
from hailong.units.services import province_load, services_import, units_import

from .answers import generate, unit_plans

DATA = Path(__file__).with_name("data")
CAMPAIGN_CODE = "sipas-2024"
QUOTA = {
    UnitKind.COMMUNE: 150,
    UnitKind.WARD: 200,
    UnitKind.DEPARTMENT: 100,
    UnitKind.SERVICE_CENTRE: 300,
}
ANNOUNCEMENT = (
    "UBND tỉnh vừa ban hành Kế hoạch khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ "
    "của cơ quan hành chính nhà nước tỉnh Thanh Hóa năm 2024.\n\n"
    "Phiếu khảo sát tập trung vào 05 tiêu chí: tiếp cận dịch vụ hành chính công; thủ tục hành chính; "
    "đội ngũ cán bộ, công chức, viên chức; kết quả cung ứng dịch vụ hành chính công; tiếp nhận, xử lý "
    "các ý kiến góp ý, phản ánh, kiến nghị.\n\n"
    "Kết quả khảo sát là một trong những nội dung để xác định Chỉ số cải cách hành chính năm 2024 "
    "của các cơ quan, đơn vị."
)
Progress = Callable[[int], None]


def structure_load() -> Unit:
    """Units, procedures and questionnaires; safe to run again."""
    root = province_load(province_code=settings.HAILONG_PROVINCE_CODE)
    units_import(path=DATA / "departments.yaml", parent=root)
    services_import(path=DATA / "procedures.csv")
    builtin_instruments_load()
    return root


@transaction.atomic
def campaign_create(*, root: Unit) -> Campaign:
    instrument = InstrumentVersion.objects.get(code="sipas-2017-province", version=1)
    tz = ZoneInfo(settings.TIME_ZONE)
    campaign, created = Campaign.objects.get_or_create(
        code=CAMPAIGN_CODE,
        defaults={
            "name": "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành "
            "chính nhà nước năm 2024",
            "year": 2024,
            "instrument": instrument,
            "period_start": dt.date(2024, 11, 18),
            "period_end": dt.date(2024, 12, 20),
            "status": Campaign.Status.CLOSED,
            "channels": [Channel.WEB, Channel.QR, Channel.PAPER],
            "announcement": ANNOUNCEMENT,
            "announced_at": dt.datetime(2024, 11, 15, 9, 55, 29, tzinfo=tz),
        },
    )
    if created:
        units = root.subtree().exclude(pk=root.pk).filter(valid_to__isnull=True)
        CampaignUnit.objects.bulk_create(
            CampaignUnit(campaign=campaign, unit=u, quota=QUOTA.get(UnitKind(u.kind), 100))
            for u in units
        )
    return campaign


@transaction.atomic
def current_campaigns_create(*, root: Unit, today: dt.date) -> list[Campaign]:
    """This year's survey, open now, and the desk form open all year (QR codes, kiosks)."""
    year = today.year
    units = list(root.subtree().exclude(pk=root.pk).filter(valid_to__isnull=True))
    tz = ZoneInfo(settings.TIME_ZONE)
    survey, created = Campaign.objects.get_or_create(
        code=f"sipas-{year}",
        defaults={
            "name": "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành "
            f"chính nhà nước năm {year}",
            "year": year,
            "instrument": InstrumentVersion.objects.get(code="sipas-2017-province", version=1),
            "period_start": today - dt.timedelta(days=12),
            "period_end": today + dt.timedelta(days=33),
            "status": Campaign.Status.OPEN,
            "channels": [Channel.WEB, Channel.QR, Channel.PAPER, Channel.API, Channel.IMPORT],
            "announcement": ANNOUNCEMENT.replace("2024", str(year)),
            "announced_at": dt.datetime.combine(
                today - dt.timedelta(days=14), dt.time(9, 30), tzinfo=tz
            ),
        },
    )
    if created:
        CampaignUnit.objects.bulk_create(
            CampaignUnit(campaign=survey, unit=u, quota=QUOTA.get(UnitKind(u.kind), 100))
            for u in units
        )
    desk, created = Campaign.objects.get_or_create(
        code=f"quay-{year}",
        defaults={
            "name": f"Đánh giá nhanh tại Bộ phận Một cửa năm {year}",
            "year": year,
            "instrument": InstrumentVersion.objects.get(code="desk-quick", version=1),
            "period_start": dt.date(year, 1, 1),
            "period_end": dt.date(year, 12, 31),
            "status": Campaign.Status.OPEN,
            "channels": [Channel.QR, Channel.KIOSK, Channel.WEB],
        },
    )
    if created:
        CampaignUnit.objects.bulk_create(
            CampaignUnit(campaign=desk, unit=u, quota=50) for u in units
        )
    return [survey, desk]


def answers_load(
    *,
    campaign: Campaign,
    total: int,
    progress: Progress,
    batch: int = 2000,
    until: dt.date | None = None,
) -> int:
    """Generate ``total`` answers in one transaction; ``progress`` is told after each batch.

    ``until`` stops the answer dates at a day (a campaign still open has none from the future).
    """
    end = min(campaign.period_end, until) if until else campaign.period_end
    if end < campaign.period_start:
        return 0  # no whole day of the period has passed yet: the desk form on 1 January
    comments = yaml.safe_load((DATA / "comments.yaml").read_text(encoding="utf-8"))
    scope = list(campaign.scope.select_related("unit").order_by("unit__path"))
    services: dict[int, list[int]] = {}
    for unit_id, service_id in Unit.services.through.objects.values_list("unit_id", "service_id"):
        services.setdefault(unit_id, []).append(service_id)
    plans = unit_plans(
        [(s.unit_id, s.unit.kind) for s in scope],
        services,
        total,
        {s.unit_id: s.quota for s in scope},
    )
    rows = generate(
        instrument=campaign.instrument.to_core(),
        plans=plans,
        start=campaign.period_start,
        end=end,
        tz=ZoneInfo(settings.TIME_ZONE),
        comments=comments,
    )
    pending: list[Response] = []
    done = 0
    with transaction.atomic():
        for i, row in enumerate(rows, start=1):
            pending.append(
                Response(
                    idempotency_key=f"demo-{campaign.code}-{i}",
                    campaign=campaign,
                    instrument=campaign.instrument,
                    **row,
                )
            )
            if len(pending) == batch:
                _stored(campaign, pending)
                done += len(pending)
                progress(len(pending))
                pending = []
        _stored(campaign, pending)
        done += len(pending)
        progress(len(pending))
        instrument_freeze(version=campaign.instrument)
    return done


@transaction.atomic
def suspicious_answers_add(*, campaign: Campaign, day: dt.date, count: int = 36) -> Unit:
    """One ward "rates itself": ``count`` top answers on every question within twelve minutes.

    So the demo's progress board shows its alerts (a burst, a share of "Rất hài lòng" far
    above the province's) on data that otherwise behaves.
    """
    unit = (
        campaign.scope.filter(unit__kind=UnitKind.WARD).order_by("unit__path").first()
        or campaign.scope.order_by("unit__path").first()
    )
    if unit is None:
        raise ValueError(f"{campaign.code} has no units")
    form = campaign.instrument.to_core()
    answers = {q.code: max(int(o.value) for o in q.scale.options) for q in form.items()}
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(10, 4), tzinfo=tz)
    _stored(
        campaign,
        [
            Response(
                idempotency_key=f"demo-{campaign.code}-burst-{i}",
                campaign=campaign,
                instrument=campaign.instrument,
                unit_id=unit.unit_id,
                source=Channel.WEB,
                collection_mode="online",
                filing_channel="in_person",
                submitted_at=start + dt.timedelta(seconds=20 * i),
                result_date=day,
                answers=answers,
                fill_seconds=35,
            )
            for i in range(count)
        ],
    )
    return unit.unit


def _stored(campaign: Campaign, responses: list[Response]) -> None:
    for response, receipt in zip(
        responses, receipts_unused(campaign.year, len(responses)), strict=True
    ):
        response.receipt = receipt
    Response.objects.bulk_create(responses)
