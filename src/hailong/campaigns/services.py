"""Planning a campaign: file volumes, quotas from the sample-size planner."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.db import transaction

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
