"""Computing a campaign's index tables and storing them whole."""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from hailong.accounts.models import User
from hailong.audit.services import audit_record
from hailong.campaigns.models import Campaign
from hailong.instruments.services import instrument_freeze
from hailong.measurement.compare import change, interval_sides, rank
from hailong.measurement.engine import Engine, Spec
from hailong.measurement.engine.sql import quote
from hailong.measurement.engine.stats import CellStats
from hailong.measurement.par import par_points
from hailong.measurement.weighting import poststratify
from hailong.topics.services import comments_sync
from hailong.units.models import Service, Unit

from .models import Computation, IndexRow
from .store import AnswerStore, table_name

# Units are ranked against their peers — province agencies together, communes and wards
# together — and "unit_level" reports the same classes as a grouping.
RANK_CLASS = {
    "department": "province_agencies",
    "service_centre": "province_agencies",
    "district": "districts",
    "commune": "local",
    "ward": "local",
    "special_zone": "local",
}
BASE_GROUPINGS: dict[str, tuple[str, ...]] = {
    "province": (),
    "unit": ("unit_id",),
    "unit_kind": ("unit_kind",),
    "unit_level": ("unit_level",),
    "service": ("service_id",),
    "field": ("field",),
    "source": ("source",),
    "collection_mode": ("collection_mode",),
    "filing_channel": ("filing_channel",),
    "month": ("month",),
    "unit_service": ("unit_id", "service_id"),
    "unit_source": ("unit_id", "source"),
}
# Groupings of one unit by a second column: ``group_value`` is "<unit id>|<second value>"
# (the empty string for a missing second value) and the row's ``unit`` is set, so that a
# scorecard reads them by unit. They are never ranked and earn no PAR points. Only their
# overall index is stored: factors and criteria per unit and procedure would triple a
# computation's rows (and its storing time) for groups mostly too small to read.
UNIT_PAIRED = ("unit_service", "unit_source")
PAIRED_LEVELS = ("overall",)
COPIED = ("level", "code", "index", "low", "high", "se", "n", "n_missing", "n_eff", "deff", "enough",
          "share_satisfied", "mean_score", "mean_index", "distribution")  # fmt: skip
Progress = Callable[[str], None]


def groupings(profile_codes: list[str]) -> dict[str, tuple[str, ...]]:
    return {**BASE_GROUPINGS, **{f"profile:{c}": (f"p:{c}",) for c in profile_codes}}


def _lookups(store: AnswerStore) -> None:
    units = list(Unit.objects.values_list("id", "kind"))
    services = list(Service.objects.values_list("id", "field", "code"))
    store.con.register(
        "_hailong_units",
        pa.table(
            {
                "id": [u[0] for u in units],
                "kind": [u[1] for u in units],
                "level": [RANK_CLASS.get(u[1], "province") for u in units],
            }
        ),
    )
    store.con.register(
        "_hailong_services",
        pa.table(
            {
                "id": [s[0] for s in services],
                "field": [s[1] for s in services],
                "code": [s[2] for s in services],
            }
        ),
    )


# Groupings made of whole units come from the per-unit statistics the store keeps.
UNIT_DERIVED = ("province", "unit", "unit_kind", "unit_level")


def _regroup(stats: CellStats, name: str) -> CellStats:
    """Per-unit statistics as cells of a coarser grouping, each unit its own cluster."""
    if name == "unit":
        return stats
    kinds = dict(Unit.objects.values_list("id", "kind"))

    def key(unit_id: Any) -> tuple[Any, ...]:
        kind = kinds.get(unit_id)
        if name == "unit_kind":
            return (kind,)
        if name == "unit_level":
            return (RANK_CLASS.get(kind or "", "province"),)
        return ()

    keys = [(key(group[0]), group[0]) for group, _ in stats.keys]
    return CellStats(keys, stats.counts, stats.squares, stats.plain, stats.moments, stats.answered)


def profile_codes(campaign: Campaign) -> list[str]:
    return [
        q.code
        for q in campaign.instrument.to_core().questions()
        if q.role == "profile" and q.scale.type in ("ordinal", "choice")
    ]


def _prepare(store: AnswerStore, campaign: Campaign) -> dict[str, Any]:
    """``_hailong_answers``: the accepted answers with unit kind, level, field and weight ``w``."""
    _lookups(store)
    stratum = {"service": "s.code", "channel": "a.filing_channel"}.get(campaign.weighting, "NULL")
    store.con.execute(
        "CREATE OR REPLACE TEMP VIEW _hailong_accepted AS SELECT a.*, u.kind AS unit_kind, "
        f"u.level AS unit_level, s.field AS field, {stratum} AS stratum "
        f"FROM {quote(table_name(campaign))} a "
        "LEFT JOIN _hailong_units u ON u.id = a.unit_id "
        "LEFT JOIN _hailong_services s ON s.id = a.service_id WHERE a.review = 'accepted'"
    )
    return _weights(store, campaign)


# The method's version, stored with every computation: bumped when the same answers would give
# other figures (2026-11-28: changes and rank intervals use both sides of the published interval).
METHOD = "2026-11-28"


def _spec_args(campaign: Campaign, weighted: bool) -> dict[str, Any]:
    return {
        "confidence": float(campaign.confidence),
        "min_n": campaign.min_answers,
        "weight": "w" if weighted else None,
    }


def campaign_compute(
    *, campaign: Campaign, progress: Progress | None = None, full: bool = False
) -> Computation:
    """Sync the answers, compute every grouping, rank, compare, award points; store it whole."""
    started = time.perf_counter()
    say = progress or (lambda _: None)
    instrument = campaign.instrument.to_core()
    engine = Engine(instrument)
    with AnswerStore() as store:
        say("sync")
        report = store.sync(campaign, full=full, engine=engine)
        weighting = _prepare(store, campaign)
        counted = store.one("SELECT count(*) FROM _hailong_answers")
        n_answers = int(counted[0]) if counted else 0
        spec_args = _spec_args(campaign, bool(weighting))
        kept = None if weighting else store.unit_stats(campaign)
        results: dict[str, list[dict[str, Any]]] = {}
        for name, by in groupings(profile_codes(campaign)).items():
            say(name)
            levels = PAIRED_LEVELS if name in UNIT_PAIRED else None
            spec = Spec(by=by, levels=levels, **spec_args)
            if kept is not None and name in UNIT_DERIVED:
                results[name] = engine.table(_regroup(kept, name), spec)
            else:
                results[name] = engine.compute(store.con, "_hailong_answers", spec)
    say("comments")
    comments_sync(campaign=campaign)  # the comments' tags, in step with the same answers
    if n_answers:
        instrument_freeze(version=campaign.instrument)  # results now name exactly this content
    say("store")
    rows = _rows(campaign, instrument.aggregation, results)
    settings = {
        **spec_args,
        "weighting": campaign.weighting,
        "weights": weighting,
        "method": METHOD,
    }
    return _save(campaign, rows, n_answers, settings, time.perf_counter() - started, report.rows)


def campaign_figures(
    *, campaign: Campaign, by: tuple[str, ...], filters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Live figures for any grouping and filter (drill-down), e.g. ``by=("source",)`` with
    ``filters={"unit_id": 5, "field": "Hộ tịch"}``; read from the store, not stored."""
    filters = filters or {}
    allowed = {c for cols in groupings(profile_codes(campaign)).values() for c in cols}
    unknown = sorted({*by, *filters} - allowed)
    if unknown:
        names = ", ".join(unknown)
        raise ValueError(
            f"Không nhóm hay lọc theo được: {names} / cannot group or filter by: {names} "
            f"(chọn / choose: {', '.join(sorted(allowed))})"
        )
    with AnswerStore() as store:
        store.sync(campaign)
        weighting = _prepare(store, campaign)
        where = " AND ".join(f"{quote(c)} IS NOT DISTINCT FROM ?" for c in filters) or "TRUE"
        store.con.execute(
            f"CREATE OR REPLACE TEMP TABLE _hailong_filtered AS SELECT * FROM _hailong_answers WHERE {where}",
            list(filters.values()),
        )
        spec = Spec(by=by, **_spec_args(campaign, bool(weighting)))
        return Engine(campaign.instrument.to_core()).compute(store.con, "_hailong_filtered", spec)


def _weights(store: AnswerStore, campaign: Campaign) -> dict[str, Any]:
    """Post-stratification weights per unit and stratum, as a column ``w`` of the answers.

    Returns the report kept with the computation: per unit the answers, the effective
    sample size and the strata with files but no answer. Empty when not weighting.
    """
    if campaign.weighting == "none":
        store.con.execute(
            "CREATE OR REPLACE TEMP VIEW _hailong_answers AS SELECT *, 1.0 AS w FROM _hailong_accepted"
        )
        return {}
    sample: dict[Any, dict[Any, int]] = defaultdict(dict)
    for unit, stratum, n in store.con.execute(
        "SELECT unit_id, stratum, count(*) FROM _hailong_accepted GROUP BY ALL"
    ).fetchall():
        sample[unit][stratum] = int(n)
    population: dict[Any, dict[Any, int]] = defaultdict(dict)
    for unit, stratum, files in campaign.volumes.filter(dimension=campaign.weighting).values_list(
        "unit_id", "stratum", "files"
    ):
        population[unit][stratum] = files
    weights = poststratify(sample, population)
    flat = [(u, h, w) for u, uw in weights.items() for h, w in uw.weights.items()]
    store.con.register(
        "_hailong_weights",
        pa.table(
            {
                "unit_id": [f[0] for f in flat],
                "stratum": [f[1] for f in flat],
                "w": [f[2] for f in flat],
            }
        ),
    )
    store.con.execute(
        "CREATE OR REPLACE TEMP VIEW _hailong_answers AS SELECT a.*, x.w FROM _hailong_accepted a "
        "JOIN _hailong_weights x ON x.unit_id = a.unit_id AND x.stratum IS NOT DISTINCT FROM a.stratum"
    )
    return {
        str(unit): {
            "n": uw.n,
            "n_eff": round(uw.n_eff, 2),
            "uncovered": [str(h) for h in uw.uncovered],
        }
        for unit, uw in weights.items()
    }


def _group_value(name: str, row: dict[str, Any]) -> str:
    by = groupings([])[name] if name in BASE_GROUPINGS else (name.replace("profile:", "p:"),)
    values = ["" if row[k] is None else str(row[k]) for k in by]
    return "|".join(values)


def _rows(
    campaign: Campaign, aggregation: Any, results: dict[str, list[dict[str, Any]]]
) -> list[IndexRow]:
    kinds = dict(Unit.objects.values_list("id", "kind"))
    previous = _previous(campaign)
    confidence = float(campaign.confidence)

    def se_of(r: dict[str, Any]) -> Any:
        return interval_sides(r["index"], r["se"], r["low"], r["high"], confidence=confidence)

    overall = [
        r
        for r in results["unit"]
        if r["level"] == "overall" and r["enough"] and r["index"] is not None
    ]
    ranks: dict[int, Any] = {}
    for klass in set(RANK_CLASS.values()):
        members = {
            r["unit_id"]: (r["index"], se_of(r))
            for r in overall
            if RANK_CLASS.get(kinds.get(r["unit_id"], "")) == klass
        }
        ranks.update({x.key: x for x in rank(members)})  # type: ignore[misc]
    out = []
    for name, rows in results.items():
        for r in rows:
            unit_id = r.get("unit_id") if name == "unit" or name in UNIT_PAIRED else None
            row = IndexRow(
                grouping=name,
                group_value=_group_value(name, r),
                unit_id=unit_id,
                **{k: r[k] for k in COPIED},
            )
            if name == "unit" and unit_id is not None and r["level"] == "overall":
                ranked = ranks.get(unit_id)
                if ranked is not None:
                    row.rank, row.rank_low, row.rank_high = (
                        ranked.rank,
                        ranked.rank_low,
                        ranked.rank_high,
                    )
                rule = campaign.par_max_points.get(kinds.get(unit_id, ""))
                if rule is not None and r["enough"]:
                    row.par_points = _par(r["index"], rule)
            if r["level"] == "overall":
                grade = aggregation.grade_of(r["index"])
                row.grade = grade.grade if grade else ""
            before = previous.get((name, row.group_value, r["level"], r["code"]))
            if before is not None:
                delta = change(r["index"], se_of(r), before[0], before[1], confidence=confidence)
                row.previous = before[0]
                if delta is not None:
                    row.delta, row.delta_significant = delta.delta, delta.significant
            out.append(row)
    return out


def _par(index: float | None, rule: Any) -> Any:
    """A unit kind's PAR rule: a maximum (``"10"``) or ``{"max": "10", "formula":
    "above_floor", "floor": 50}`` (methodology.md §4: max points and formula per campaign
    and unit kind)."""
    if isinstance(rule, dict):
        return par_points(
            index,
            max_points=rule["max"],
            formula=rule.get("formula", "linear"),
            floor=float(rule.get("floor", 50)),
        )
    return par_points(index, max_points=rule)


def _previous(campaign: Campaign) -> dict[tuple[str, str, str, str], tuple[float | None, Any]]:
    """Last year's figures of the same questionnaire, keyed like this year's rows: the index
    and the standard errors its published interval stands for (``interval_sides``), at the
    confidence that interval was computed with."""
    earlier = (
        Computation.objects.filter(
            campaign__year__lt=campaign.year, instrument__code=campaign.instrument.code
        )
        .select_related("campaign")
        .order_by("-campaign__year", "-computed_at")
        .first()
    )
    if earlier is None:
        return {}
    confidence = float(earlier.settings.get("confidence", earlier.campaign.confidence))
    return {
        (g, v, lvl, c): (i, interval_sides(i, se, low, high, confidence=confidence))
        for g, v, lvl, c, i, se, low, high in earlier.rows.values_list(
            "grouping", "group_value", "level", "code", "index", "se", "low", "high"
        )
    }


@transaction.atomic
def _save(
    campaign: Campaign,
    rows: list[IndexRow],
    n_answers: int,
    spec: dict[str, Any],
    seconds: float,
    synced: int,
) -> Computation:
    def rounded(x: float | None) -> str | None:
        # Parallel float sums may differ in the last bits between runs; the hash must not.
        return None if x is None else f"{x:.9g}"

    payload = [
        (
            r.grouping,
            r.group_value,
            r.level,
            r.code,
            rounded(r.index),
            rounded(r.low),
            rounded(r.high),
            r.n,
            r.rank,
            str(r.par_points),
        )
        for r in sorted(rows, key=lambda r: (r.grouping, r.group_value, r.level, r.code))
    ]
    digest = hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()
    computation = Computation.objects.create(
        campaign=campaign,
        instrument=campaign.instrument,
        n_answers=n_answers,
        settings={**spec, "synced_rows": synced},
        digest=digest,
        seconds=seconds,
    )
    for r in rows:
        r.computation = computation
    IndexRow.objects.bulk_create(rows, batch_size=2000)
    # Keep only the latest computation of a campaign, and every published one unchanged.
    Computation.objects.filter(campaign=campaign, published_at__isnull=True).exclude(
        pk=computation.pk
    ).delete()
    return computation


@transaction.atomic
def campaign_publish(*, campaign: Campaign, actor: User | None = None) -> Computation:
    """Publish the campaign's latest computation: the public pages show it, unchanged, until
    another is published (the coordinators' workflow around this is in the campaigns issue)."""
    computation = Computation.objects.filter(campaign=campaign).order_by("-computed_at").first()
    if computation is None:
        raise ValueError(
            f"Đợt '{campaign.code}' chưa có kết quả; hãy chạy 'hailong compute {campaign.code}' / "
            f"campaign '{campaign.code}' has no results yet; run 'hailong compute {campaign.code}'"
        )
    with transaction.atomic():
        if computation.published_at is None:
            computation.published_at = timezone.now()
            computation.save(update_fields=["published_at"])
        campaign.status = Campaign.Status.PUBLISHED
        campaign.save(update_fields=["status"])
        audit_record(
            action="results.publish",
            actor=actor,
            actor_label="" if actor else "hailong publish",
            obj=campaign,
            data={"computation": computation.pk, "digest": computation.digest},
        )
    return computation
