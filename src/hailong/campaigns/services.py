"""Planning a campaign: file volumes, quotas from the sample-size planner."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hailong.core.imports import ImportRejected, Problem, read_rows, text
from hailong.measurement.sampling import quotas
from hailong.units.models import Service, Unit

from .models import Campaign, CampaignUnit, FileVolume

CHANNELS = ("in_person", "online_full", "online_partial", "postal")


class PlanError(ValueError):
    """A plan that cannot be made; the message says why, in Vietnamese and English."""


def volumes_import(*, campaign: Campaign, path: Path) -> int:
    """Import completed files (``unit,files`` and optionally ``service`` or ``channel``); all or nothing.

    The units' totals become their ``completed_files``; the per-stratum rows feed weighting.
    """
    rows = read_rows(path, ("unit", "files"))
    scope = {cu.unit.code: cu for cu in campaign.scope.select_related("unit")}
    services = set(Service.objects.values_list("code", flat=True))
    has_service = any(text(r.get("service")) for _, r in rows)
    has_channel = any(text(r.get("channel")) for _, r in rows)
    problems: list[Problem] = []
    if has_service and has_channel:
        problems.append(
            Problem(
                1,
                "service",
                "chỉ dùng một trong hai cột service hoặc channel",
                "use either the service or the channel column, not both",
            )
        )
    dimension = (
        FileVolume.Dimension.SERVICE
        if has_service
        else FileVolume.Dimension.CHANNEL
        if has_channel
        else FileVolume.Dimension.TOTAL
    )
    column = {"service": "service", "channel": "channel"}.get(dimension, "")
    seen: dict[tuple[str, str], int] = {}
    clean: list[tuple[CampaignUnit, str, int]] = []
    for row_no, row in rows:
        code, raw_files, stratum = (
            text(row.get("unit")),
            text(row.get("files")),
            text(row.get(column)) if column else "",
        )
        cu = scope.get(code)
        if cu is None:
            problems.append(
                Problem(
                    row_no,
                    "unit",
                    f"đơn vị '{code}' không thuộc đợt khảo sát",
                    f"unit '{code}' is not in the campaign's scope",
                )
            )
        if not raw_files.isdigit():
            problems.append(
                Problem(
                    row_no,
                    "files",
                    f"số hồ sơ '{raw_files}' phải là số nguyên không âm",
                    f"files '{raw_files}' must be a whole number ≥ 0",
                )
            )
        if dimension == FileVolume.Dimension.SERVICE and stratum not in services:
            problems.append(
                Problem(
                    row_no,
                    "service",
                    f"mã thủ tục '{stratum}' không có",
                    f"procedure code '{stratum}' is unknown",
                )
            )
        if dimension == FileVolume.Dimension.CHANNEL and stratum not in CHANNELS:
            problems.append(
                Problem(
                    row_no,
                    "channel",
                    f"kênh '{stratum}' không hợp lệ (chọn: {', '.join(CHANNELS)})",
                    f"channel '{stratum}' is not valid (choose: {', '.join(CHANNELS)})",
                )
            )
        if (code, stratum) in seen:
            problems.append(
                Problem(
                    row_no,
                    "unit",
                    f"trùng với dòng {seen[(code, stratum)]}",
                    f"repeats row {seen[(code, stratum)]}",
                )
            )
        seen.setdefault((code, stratum), row_no)
        if cu is not None and raw_files.isdigit():
            clean.append((cu, stratum, int(raw_files)))
    if problems:
        raise ImportRejected(str(path), problems)
    totals: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        campaign.volumes.all().delete()
        FileVolume.objects.bulk_create(
            FileVolume(
                campaign=campaign, unit=cu.unit, dimension=dimension, stratum=stratum, files=files
            )
            for cu, stratum, files in clean
        )
        for cu, _, files in clean:
            totals[cu.pk] += files
        for cu in scope.values():
            if cu.pk in totals:
                cu.completed_files = totals[cu.pk]
                cu.save(update_fields=["completed_files"])
    return len(clean)


def quotas_propose(
    *,
    campaign: Campaign,
    margin: float = 0.05,
    confidence: float = 0.95,
    method: str = "proportional",
    minimum: int = 30,
    per_unit: bool = True,
) -> dict[Unit, int]:
    """Quotas from the sample-size planner (each unit its own precision target by default,
    since every unit is ranked). Needs every unit's completed files."""
    scope = list(campaign.scope.select_related("unit"))
    if not scope:
        raise PlanError("Đợt khảo sát chưa có đơn vị nào / the campaign has no unit in scope")
    missing = [cu.unit.name for cu in scope if cu.completed_files is None]
    if missing:
        listed = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise PlanError(
            f"Chưa có số hồ sơ đã giải quyết của {len(missing)} đơn vị: {listed} / "
            f"completed files are missing for {len(missing)} units: {listed}"
        )
    strata = {cu.unit: int(cu.completed_files or 0) for cu in scope}
    try:
        planned = quotas(
            strata,
            margin=margin,
            confidence=confidence,
            method=method,  # type: ignore[arg-type]  # checked by the planner, which names it
            minimum=minimum,
            per_unit=per_unit,
        )
    except ValueError as exc:
        raise PlanError(str(exc)) from exc
    return planned


@transaction.atomic
def quotas_apply(*, campaign: Campaign, planned: dict[Unit, int]) -> int:
    """Write quotas; a quota above a unit's completed files is refused (nobody to ask)."""
    scope = {cu.unit_id: cu for cu in campaign.scope.all()}
    too_many = [
        f"{unit.name} ({n} > {scope[unit.pk].completed_files})"
        for unit, n in planned.items()
        if scope[unit.pk].completed_files is not None and n > (scope[unit.pk].completed_files or 0)
    ]
    if too_many:
        raise PlanError(
            f"Chỉ tiêu vượt số hồ sơ: {', '.join(too_many[:10])} / quotas exceed the files available: {', '.join(too_many[:10])}"
        )
    for unit, n in planned.items():
        cu = scope[unit.pk]
        cu.quota = n
        cu.save(update_fields=["quota"])
    return len(planned)


@transaction.atomic
def quotas_by_kind(*, campaign: Campaign, per_kind: dict[str, int]) -> int:
    """One quota per unit kind, e.g. 150 per commune and 200 per ward (Bình Dương 2018)."""
    changed = 0
    for kind, n in per_kind.items():
        if n < 0:
            raise PlanError(f"Chỉ tiêu {n} âm / quota {n} is negative")
        changed += campaign.scope.filter(unit__kind=kind).update(quota=n)
    return changed


class TransitionRefused(ValueError):
    """A campaign step that is not allowed now, said in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


# draft → open → closed → published; a closed campaign may be reopened (with a reason), and
# a published one published again when its results are recomputed.
TRANSITIONS = {
    ("draft", "open"),
    ("open", "closed"),
    ("closed", "open"),
    ("closed", "published"),
    ("published", "published"),
}


@transaction.atomic
def campaign_transition(
    *, campaign: Campaign, to: str, reason: str, actor: Any = None, actor_label: str = ""
) -> Campaign:
    """Move a campaign one step, with a reason; the step is written to the audit log.

    Opening freezes the questionnaire version (answers then always say which one they
    answered); publishing freezes the latest computation as the public snapshot, whose
    content hash the audit entry keeps.
    """
    from hailong.audit.services import audit_record
    from hailong.instruments.services import instrument_freeze

    campaign = Campaign.objects.select_for_update().select_related("instrument").get(pk=campaign.pk)
    before = campaign.status
    if (before, to) not in TRANSITIONS:
        raise TransitionRefused(
            f"không thể chuyển đợt '{campaign.code}' từ '{before}' sang '{to}'",
            f"campaign '{campaign.code}' cannot go from '{before}' to '{to}'",
        )
    if not reason.strip():
        raise TransitionRefused("hãy ghi lý do", "give a reason")
    data: dict[str, Any] = {"from": before, "to": to}
    if to == "open":
        if not campaign.scope.exists():
            raise TransitionRefused(
                "đợt chưa có đơn vị nào trong phạm vi khảo sát",
                "the campaign has no units in scope",
            )
        if campaign.period_end < timezone.localdate():
            raise TransitionRefused(
                "thời gian thu phiếu của đợt đã hết; hãy sửa ngày kết thúc trước",
                "the campaign's collection period is over; change its end date first",
            )
        instrument_freeze(version=campaign.instrument)
        data["instrument"] = f"{campaign.instrument.code} v{campaign.instrument.version}"
    if to == "published":
        from hailong.results.services import campaign_publish

        try:
            computation = campaign_publish(campaign=campaign, actor=actor)
        except ValueError as exc:
            raise TransitionRefused(str(exc), str(exc)) from exc
        data["computation"], data["digest"] = computation.pk, computation.digest
    campaign.status = to
    campaign.save(update_fields=["status"])
    audit_record(
        action=f"campaign.{to}",
        actor=actor,
        actor_label=actor_label,
        obj=campaign,
        reason=reason.strip(),
        data=data,
    )
    return campaign
