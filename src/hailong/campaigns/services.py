"""Planning a campaign: file volumes, quotas from the sample-size planner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hailong.core.imports import ImportRejected, Problem, read_rows, text
from hailong.measurement.sampling import quotas
from hailong.units.models import Service, Unit, UnitKind

from .models import Campaign, CampaignUnit, Channel, FileVolume

CHANNELS = ("in_person", "online_full", "online_partial", "postal")


class PlanError(ValueError):
    """A plan that cannot be made; the message says why, in Vietnamese and English."""


def _plan_editable(campaign: Campaign) -> None:
    """A published campaign's plan is history: the snapshot was computed against it."""
    if campaign.status == Campaign.Status.PUBLISHED:
        raise PlanError(
            f"Đợt '{campaign.code}' đã công bố; không sửa kế hoạch được nữa / "
            f"campaign '{campaign.code}' is published; its plan can no longer change"
        )


@dataclass
class VolumesRead:
    """What a volume file would store: checked rows, or the problems that refuse it."""

    dimension: str
    rows: list[tuple[CampaignUnit, str, int]]
    problems: list[Problem]

    def totals(self) -> list[tuple[CampaignUnit, int]]:
        """Each unit's completed files as the import would set them, in the file's order."""
        found: dict[int, tuple[CampaignUnit, int]] = {}
        for cu, _, files in self.rows:
            found[cu.pk] = (cu, found.get(cu.pk, (cu, 0))[1] + files)
        return list(found.values())


def volumes_read(*, campaign: Campaign, path: Path) -> VolumesRead:
    """Check a volume file (``unit,files`` and optionally ``service`` or ``channel``) without
    writing anything, so a screen can show what it would store."""
    rows = read_rows(path, ("unit", "files"))
    scope = {cu.unit.code: cu for cu in campaign.scope.select_related("unit")}
    services = set(Service.objects.values_list("code", flat=True))
    has_service = any(text(r.get("service")) for _, r in rows)
    has_channel = any(text(r.get("channel")) for _, r in rows)
    problems: list[Problem] = []
    if not rows:
        problems.append(
            Problem(1, "", "tệp không có dòng số liệu nào", "the file has no data rows")
        )
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
    return VolumesRead(str(dimension), clean, problems)


def volumes_import(
    *, campaign: Campaign, path: Path, actor: Any = None, actor_label: str = ""
) -> int:
    """Import completed files (``unit,files`` and optionally ``service`` or ``channel``); all or nothing.

    The units' totals become their ``completed_files``; the per-stratum rows feed weighting.
    """
    from hailong.audit.services import audit_record

    _plan_editable(campaign)
    read = volumes_read(campaign=campaign, path=path)
    if read.problems:
        raise ImportRejected(str(path), read.problems)
    with transaction.atomic():
        campaign.volumes.all().delete()
        FileVolume.objects.bulk_create(
            FileVolume(
                campaign=campaign, unit=cu.unit, dimension=read.dimension, stratum=s, files=files
            )
            for cu, s, files in read.rows
        )
        totals = read.totals()
        for cu, files in totals:
            cu.completed_files = files
            cu.save(update_fields=["completed_files"])
        audit_record(
            action="campaign.volumes_import",
            actor=actor,
            actor_label=actor_label,
            obj=campaign,
            data={
                "file": path.name,
                "dimension": read.dimension,
                "rows": len(read.rows),
                "completed_files": {cu.unit.code: files for cu, files in totals},
            },
        )
    return len(read.rows)


@transaction.atomic
def volumes_set(
    *, campaign: Campaign, files: dict[Unit, int | None], actor: Any = None, actor_label: str = ""
) -> int:
    """Typed completed files per unit (an empty cell clears it); a unit outside the scope or a
    negative number refuses the whole change."""
    from hailong.audit.services import audit_record

    _plan_editable(campaign)
    scope = {cu.unit_id: cu for cu in campaign.scope.select_related("unit")}
    outside = [u.name for u in files if u.pk not in scope]
    if outside:
        raise PlanError(
            f"Đơn vị không thuộc đợt khảo sát: {', '.join(outside[:10])} / "
            f"units not in the campaign's scope: {', '.join(outside[:10])}"
        )
    negative = [u.name for u, n in files.items() if n is not None and n < 0]
    if negative:
        raise PlanError(
            f"Số hồ sơ âm: {', '.join(negative[:10])} / negative files: {', '.join(negative[:10])}"
        )
    changes: dict[str, list[int | None]] = {}
    for unit, n in files.items():
        cu = scope[unit.pk]
        if cu.completed_files != n:
            changes[unit.code] = [cu.completed_files, n]
            cu.completed_files = n
            cu.save(update_fields=["completed_files"])
    if changes:
        audit_record(
            action="campaign.volumes_set",
            actor=actor,
            actor_label=actor_label,
            obj=campaign,
            data={"completed_files": changes},
        )
    return len(changes)


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


def _quotas_write(
    *,
    campaign: Campaign,
    planned: dict[CampaignUnit, int],
    action: str,
    actor: Any,
    actor_label: str,
    data: dict[str, Any],
) -> int:
    """Refuse any quota that is negative or above the unit's completed files; then write and log."""
    from hailong.audit.services import audit_record

    negative = [f"{cu.unit.name} ({n})" for cu, n in planned.items() if n < 0]
    if negative:
        raise PlanError(
            f"Chỉ tiêu âm: {', '.join(negative[:10])} / negative quotas: {', '.join(negative[:10])}"
        )
    too_many = [
        f"{cu.unit.name} ({n} > {cu.completed_files})"
        for cu, n in planned.items()
        if cu.completed_files is not None and n > cu.completed_files
    ]
    if too_many:
        listed = ", ".join(too_many[:10]) + (" …" if len(too_many) > 10 else "")
        raise PlanError(
            f"Chỉ tiêu vượt số hồ sơ: {listed} / quotas exceed the files available: {listed}"
        )
    changes = {}
    for cu, n in planned.items():
        if cu.quota != n:
            changes[cu.unit.code] = [cu.quota, n]
            cu.quota = n
            cu.save(update_fields=["quota"])
    audit_record(
        action=action,
        actor=actor,
        actor_label=actor_label,
        obj=campaign,
        data={**data, "quotas": changes},
    )
    return len(planned)


@transaction.atomic
def quotas_apply(
    *, campaign: Campaign, planned: dict[Unit, int], actor: Any = None, actor_label: str = ""
) -> int:
    """Write quotas; a quota above a unit's completed files is refused (nobody to ask), and so
    are an empty plan and a unit outside the campaign's scope."""
    _plan_editable(campaign)
    if not planned:
        raise PlanError("Kế hoạch không có đơn vị nào / the plan names no unit")
    scope = {cu.unit_id: cu for cu in campaign.scope.select_related("unit")}
    outside = [u.name for u in planned if u.pk not in scope]
    if outside:
        raise PlanError(
            f"Đơn vị không thuộc đợt khảo sát: {', '.join(outside[:10])} / "
            f"units not in the campaign's scope: {', '.join(outside[:10])}"
        )
    return _quotas_write(
        campaign=campaign,
        planned={scope[u.pk]: n for u, n in planned.items()},
        action="campaign.quotas_apply",
        actor=actor,
        actor_label=actor_label,
        data={},
    )


@transaction.atomic
def quotas_by_kind(
    *, campaign: Campaign, per_kind: dict[str, int], actor: Any = None, actor_label: str = ""
) -> int:
    """One quota per unit kind, e.g. 150 per commune and 200 per ward (Bình Dương 2018)."""
    _plan_editable(campaign)
    if not per_kind:
        raise PlanError("Chưa ghi chỉ tiêu cho loại đơn vị nào / no quota per unit kind given")
    scope = list(campaign.scope.select_related("unit"))
    present = {cu.unit.kind for cu in scope}
    unknown = sorted(k for k in per_kind if k not in present)
    if unknown:
        raise PlanError(
            f"Đợt không có đơn vị loại: {', '.join(unknown)} / "
            f"the campaign has no unit of kind: {', '.join(unknown)}"
        )
    return _quotas_write(
        campaign=campaign,
        planned={cu: per_kind[cu.unit.kind] for cu in scope if cu.unit.kind in per_kind},
        action="campaign.quotas_by_kind",
        actor=actor,
        actor_label=actor_label,
        data={"per_kind": per_kind},
    )


@transaction.atomic
def campaign_create(
    *,
    code: str,
    name: str,
    year: int,
    instrument: Any,
    period_start: dt.date,
    period_end: dt.date,
    min_answers: int = 30,
    confidence: Decimal = Decimal("0.95"),
    actor: Any = None,
    actor_label: str = "",
) -> Campaign:
    """A new campaign in draft, with no units yet (the plan screen adds them)."""
    from hailong.audit.services import audit_record

    if period_end < period_start:
        raise PlanError("Ngày kết thúc trước ngày bắt đầu / the end date is before the start date")
    if Campaign.objects.filter(code=code).exists():
        raise PlanError(f"Đã có đợt mã '{code}' / a campaign '{code}' already exists")
    campaign = Campaign.objects.create(
        code=code,
        name=name,
        year=year,
        instrument=instrument,
        period_start=period_start,
        period_end=period_end,
        min_answers=min_answers,
        confidence=confidence,
    )
    audit_record(
        action="campaign.create",
        actor=actor,
        actor_label=actor_label,
        obj=campaign,
        data={
            "code": code,
            "year": year,
            "instrument": f"{instrument.code} v{instrument.version}",
            "period": [period_start.isoformat(), period_end.isoformat()],
            "min_answers": min_answers,
            "confidence": str(confidence),
        },
    )
    return campaign


@transaction.atomic
def campaign_settings_update(
    *,
    campaign: Campaign,
    channels: list[str],
    period_start: dt.date,
    period_end: dt.date,
    min_answers: int,
    actor: Any = None,
    actor_label: str = "",
) -> list[str]:
    """Channels, dates and the minimum per figure; returns the names of the fields changed."""
    from hailong.audit.services import audit_record

    _plan_editable(campaign)
    bad = sorted(set(channels) - set(Channel.values))
    if bad:
        raise PlanError(f"Kênh không có: {', '.join(bad)} / unknown channels: {', '.join(bad)}")
    if period_end < period_start:
        raise PlanError("Ngày kết thúc trước ngày bắt đầu / the end date is before the start date")
    if min_answers < 1:
        raise PlanError("Số câu trả lời tối thiểu phải ≥ 1 / the minimum answers must be ≥ 1")
    new = {
        "channels": [c for c in Channel.values if c in channels],
        "period_start": period_start,
        "period_end": period_end,
        "min_answers": min_answers,
    }
    changes = {k: [getattr(campaign, k), v] for k, v in new.items() if getattr(campaign, k) != v}
    if changes:
        for k, (_, v) in changes.items():
            setattr(campaign, k, v)
        campaign.save(update_fields=list(changes))
        audit_record(
            action="campaign.settings",
            actor=actor,
            actor_label=actor_label,
            obj=campaign,
            data={
                k: [str(a) if isinstance(a, dt.date) else a for a in v] for k, v in changes.items()
            },
        )
    return list(changes)


@transaction.atomic
def scope_set(
    *,
    campaign: Campaign,
    roots: list[Unit],
    kinds: list[str] | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> int:
    """Units in scope: the current units under each chosen root (the root itself unless it is
    the province), optionally only of some kinds. Units staying keep their quotas and files.

    Only a draft's scope changes: answers name their unit, and an open campaign's units are
    already collecting.
    """
    from hailong.audit.services import audit_record

    if campaign.status != Campaign.Status.DRAFT:
        raise PlanError(
            "Chỉ đổi phạm vi khi đợt còn là bản nháp / the scope changes only while the campaign is a draft"
        )
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(path__startswith=root.path)
    units = Unit.objects.filter(condition, valid_to__isnull=True).exclude(kind=UnitKind.PROVINCE)
    if kinds:
        units = units.filter(kind__in=kinds)
    chosen = set(units.values_list("pk", flat=True))
    if not chosen:
        raise PlanError("Phạm vi đã chọn không có đơn vị nào / the scope chosen contains no unit")
    current = set(campaign.scope.values_list("unit_id", flat=True))
    campaign.scope.exclude(unit_id__in=chosen).delete()
    CampaignUnit.objects.bulk_create(
        CampaignUnit(campaign=campaign, unit_id=pk) for pk in sorted(chosen - current)
    )
    audit_record(
        action="campaign.scope",
        actor=actor,
        actor_label=actor_label,
        obj=campaign,
        data={
            "roots": [r.code for r in roots],
            "kinds": sorted(kinds or []),
            "added": len(chosen - current),
            "removed": len(current - chosen),
            "units": len(chosen),
        },
    )
    return len(chosen)


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

    Opening needs a real plan (units in scope, a quota on at least one, an open channel), so
    that no campaign collects without one, and freezes the questionnaire version (answers then
    always say which one they answered); publishing freezes the latest computation as the public snapshot, whose
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
        if not campaign.scope.filter(quota__gt=0).exists():
            raise TransitionRefused(
                "chưa giao chỉ tiêu số phiếu cho đơn vị nào trong đợt; hãy lập kế hoạch trước",
                "no unit of the campaign has a quota of answers; set the plan first",
            )
        if not campaign.channels:
            raise TransitionRefused(
                "đợt chưa mở kênh thu phiếu nào; hãy chọn ít nhất một kênh",
                "the campaign has no open channel; choose at least one",
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


@transaction.atomic
def plan_save(
    *,
    campaign: Campaign,
    files: dict[Unit, int | None],
    planned: dict[Unit, int],
    actor: Any = None,
    actor_label: str = "",
) -> None:
    """The plan table saved as one: typed files, then quotas checked against them; a refusal
    of either keeps both unchanged."""
    volumes_set(campaign=campaign, files=files, actor=actor, actor_label=actor_label)
    quotas_apply(campaign=campaign, planned=planned, actor=actor, actor_label=actor_label)


@dataclass(frozen=True)
class Recomputed:
    digest: str
    published: str | None
    method: str = ""
    published_method: str = ""

    @property
    def method_changed(self) -> bool:
        """The published snapshot was computed by an earlier version of the method."""
        return self.published is not None and self.method != self.published_method

    @property
    def matches(self) -> bool | None:
        """Whether the stored answers give the published snapshot again (None: none published)."""
        return None if self.published is None else self.digest == self.published


def campaign_recompute(
    *, campaign: Campaign, actor: Any = None, actor_label: str = ""
) -> Recomputed:
    """Compute the results from the stored answers and say whether they reproduce the
    published snapshot (its content hash); the computation is logged."""
    from hailong.audit.services import audit_record
    from hailong.results.selectors import computation_published
    from hailong.results.services import campaign_compute

    if campaign.status in (Campaign.Status.DRAFT, Campaign.Status.OPEN):
        raise PlanError(
            "Chỉ tính kết quả khi đợt đã kết thúc thu phiếu / "
            "results are computed once the campaign is closed"
        )
    published = computation_published(campaign=campaign)
    computation = campaign_compute(campaign=campaign)
    result = Recomputed(
        computation.digest,
        published.digest if published else None,
        method=str(computation.settings.get("method", "")),
        published_method=str(published.settings.get("method", "")) if published else "",
    )
    with transaction.atomic():
        audit_record(
            action="results.compute",
            actor=actor,
            actor_label=actor_label,
            obj=campaign,
            data={
                "computation": computation.pk,
                "digest": computation.digest,
                "answers": computation.n_answers,
                "published_digest": result.published,
                "method": result.method,
            },
        )
    return result
