"""What goes into each open data file: the index table and the anonymised answers.

Rows are read with ``iterator()`` so that 200,000 answers stream in chunks; the answers go
through :mod:`.anonymise` first (one pass over unit, procedure and profile only).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When

from hailong.campaigns.models import Channel
from hailong.collection.models import CollectionMode, Response
from hailong.measurement.instruments import Instrument, Question
from hailong.results.models import Computation
from hailong.units.models import Service, Unit, UnitKind

from .anonymise import K, Release, profile_release
from .columns import INDEX_COLUMNS, Column

CHUNK = 5000
ANSWER_SCALES = ("ordinal", "choice", "multi", "number")  # never text, never dates


def _labels(instrument: Instrument) -> dict[tuple[str, str], str]:
    labels = {("overall", "overall"): "Chỉ số chung"}
    labels |= {("part", p.code): p.label.vi for p in instrument.parts}
    labels |= {("factor", f.code): f.label.vi for f in instrument.factors}
    labels |= {("item", q.code): q.text.vi for q in instrument.questions()}
    return labels


# Staff-only breakdowns (a unit by procedure, by channel): often one or two answers a group.
STAFF_GROUPINGS = ("unit_service", "unit_source")
# Groupings published whatever their size: the ranking itself (the portal shows it too).
ALWAYS_PUBLISHED = ("province", "unit_level", "unit_kind", "unit")


# the province, then its units by kind and level, then the units: what a reader looks for first
_FIRST = Case(
    *(When(grouping=g, then=Value(i)) for i, g in enumerate(ALWAYS_PUBLISHED)),
    default=Value(len(ALWAYS_PUBLISHED)),
    output_field=IntegerField(),
)

# within a group: the overall index, then parts, factors and items (not alphabetical levels)
_LEVELS = Case(
    *(When(level=level, then=Value(i)) for i, level in enumerate(("overall", "part", "factor"))),
    default=Value(3),
    output_field=IntegerField(),
)


def index_rows(computation: Computation) -> Iterator[tuple[Any, ...]]:
    """The published figures of the computation, in the order of :data:`INDEX_COLUMNS`.

    A group of fewer than K answers outside the ranking (a procedure, a month, a respondent
    attribute) is left out: its figures would nearly show those few people's answers, which
    the anonymised answers file never shows either.
    """
    labels = _labels(computation.instrument.to_core())
    rows = (
        computation.rows.select_related("unit")
        .exclude(grouping__in=STAFF_GROUPINGS)
        .exclude(~Q(grouping__in=ALWAYS_PUBLISHED) & Q(n__lt=K))
        .annotate(first=_FIRST, level_order=_LEVELS)
        .order_by("first", "grouping", "unit__code", "group_value", "level_order", "code")
        .iterator(chunk_size=CHUNK)
    )
    for r in rows:
        yield (
            r.grouping, r.group_value, r.unit.code if r.unit else None,
            r.unit.name if r.unit else None, r.level, r.code, labels.get((r.level, r.code), ""),
            r.index, r.low, r.high, r.se, r.n, r.n_missing, r.n_eff, r.deff, r.enough,
            r.share_satisfied, r.mean_score, r.mean_index,
            json.dumps(r.distribution, ensure_ascii=False) if r.distribution is not None else None,
            r.rank, r.rank_low, r.rank_high, r.previous, r.delta, r.delta_significant,
            float(r.par_points) if r.par_points is not None else None, r.grade,
        )  # fmt: skip


def _codes(q: Question) -> tuple[tuple[str, str, str], ...]:
    return tuple((str(o.value), o.label.vi, o.label.en or o.label.vi) for o in q.scale.options)


def _choices(choices: Any) -> tuple[tuple[str, str, str], ...]:
    from django.utils import translation

    out = []
    for value, label in choices:
        with translation.override("vi"):
            vi = str(label)
        with translation.override("en"):
            en = str(label)
        out.append((value, vi, en))
    return tuple(out)


@dataclass
class AnswerPlan:
    """The answers file of one computation: its columns and the suppression applied."""

    computation: Computation
    questions: list[Question]
    release: Release
    profile: list[Question]
    procedures_kept: frozenset[tuple[int, int]]  # (unit, service) with at least k answers
    n_answers: int
    procedures_hidden: int

    def columns(self) -> list[Column]:
        fixed = [
            Column("unit_code", "Mã đơn vị", "Unit code"),
            Column("unit_kind", "Loại đơn vị", "Unit kind", codes=_choices(UnitKind.choices)),
            Column("field", "Lĩnh vực thủ tục", "Field of the procedure"),
            Column(
                "procedure",
                f"Mã thủ tục (để trống nếu đơn vị có dưới {K} câu trả lời cho thủ tục)",
                f"Procedure code (blank where the unit has fewer than {K} answers for it)",
            ),
            Column("channel", "Kênh trả lời", "Channel", codes=_choices(Channel.choices)),
            Column(
                "collection_mode",
                "Cách thu thập",
                "Collection mode",
                codes=_choices(CollectionMode.choices),
            ),
            Column("month", "Tháng trả lời (YYYY-MM)", "Month answered (YYYY-MM)"),
        ]
        for q in self.questions:
            kind = {"multi": "string", "number": "number"}.get(q.scale.type, "integer")
            en = q.text.en or q.text.vi
            if q.scale.type == "multi":
                en += " (codes separated by ';')"
            fixed.append(Column(q.code, q.text.vi, en, kind, _codes(q)))  # type: ignore[arg-type]
        for q in self.profile:
            if q.code in self.release.released:
                fixed.append(
                    Column(q.code, q.text.vi, q.text.en or q.text.vi, "integer", _codes(q))
                )
        return fixed


def _accepted(computation: Computation) -> Any:
    return Response.objects.filter(
        campaign_id=computation.campaign_id,
        review=Response.Review.ACCEPTED,
        received_at__lte=computation.computed_at,
    ).order_by()


def answer_plan(computation: Computation) -> AnswerPlan:
    """One pass over unit, procedure and profile: what may be released (k-anonymity)."""
    instrument = computation.instrument.to_core()
    questions = [
        q for q in instrument.questions()
        if q.role != "profile" and q.scale.type in ANSWER_SCALES
    ]  # fmt: skip
    profile = [q for q in instrument.questions() if q.role == "profile" and q.scale.type != "text"]
    codes = [q.code for q in profile]
    cells: Counter[Any] = Counter()
    procedures: Counter[tuple[int, int]] = Counter()
    n = 0
    rows = _accepted(computation).values_list("unit_id", "service_id", "profile")
    for unit_id, service_id, answers in rows.iterator(chunk_size=CHUNK):
        n += 1
        cells[(unit_id, tuple((answers or {}).get(c) for c in codes))] += 1
        if service_id is not None:
            procedures[(unit_id, service_id)] += 1
    kept = frozenset(key for key, count in procedures.items() if count >= K)
    return AnswerPlan(
        computation=computation,
        questions=questions,
        release=profile_release(cells, codes, k=K),
        profile=profile,
        procedures_kept=kept,
        n_answers=n,
        procedures_hidden=sum(c for key, c in procedures.items() if key not in kept),
    )


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def answer_rows(plan: AnswerPlan) -> Iterator[tuple[Any, ...]]:
    """The anonymised answers, in the order of ``plan.columns()``."""
    units = {u.pk: (u.code, u.kind) for u in Unit.objects.only("code", "kind")}
    services = {s.pk: (s.code, s.field) for s in Service.objects.only("code", "field")}
    zone = ZoneInfo(settings.TIME_ZONE)
    codes = [q.code for q in plan.questions]
    released = [q.code for q in plan.profile if q.code in plan.release.released]
    small = plan.release.small_units
    rows = _accepted(plan.computation).values_list(
        "unit_id", "service_id", "source", "collection_mode", "submitted_at", "answers", "profile"
    )
    for unit_id, service_id, source, mode, submitted, answers, profile in rows.iterator(
        chunk_size=CHUNK
    ):
        unit_code, kind = units[unit_id]
        code, field = services.get(service_id, (None, None)) if service_id else (None, None)
        if (unit_id, service_id) not in plan.procedures_kept:
            code = None
        month = (
            submitted.astimezone(zone).strftime("%Y-%m")
            if isinstance(submitted, dt.datetime)
            else None
        )
        answers = answers or {}
        profile = {} if unit_id in small else (profile or {})
        yield (
            unit_code, kind, field or None, code, source, mode, month,
            *(_cell(answers.get(c)) for c in codes),
            *(profile.get(c) for c in released),
        )  # fmt: skip


def metadata(computation: Computation) -> dict[str, Any]:
    """What every file of a published computation says about where its figures come from."""
    campaign = computation.campaign
    return {
        "campaign": {"code": campaign.code, "name": str(campaign), "year": campaign.year},
        "instrument": {
            "code": computation.instrument.code,
            "version": computation.instrument.version,
        },
        "computed_at": computation.computed_at.isoformat(),
        "published_at": computation.published_at.isoformat() if computation.published_at else None,
        "n_answers": computation.n_answers,
        "content_sha256": computation.digest,
        "licence": settings.HAILONG_OPEN_DATA_LICENCE,
    }


def dictionary(computation: Computation, plan: AnswerPlan) -> dict[str, Any]:
    """The machine-readable data dictionary of one published computation."""
    release = plan.release
    return {
        **metadata(computation),
        "index_table": {"columns": [c.as_dict() for c in INDEX_COLUMNS]},
        "answers": {
            "rows": plan.n_answers,
            "columns": [c.as_dict() for c in plan.columns()],
            "never_released": [
                "free-text answers",
                "exact date and time",
                "receipt",
                "idempotency key",
                "network address hash",
                "device",
                "desk",
                "invitation code",
                "filing channel",
            ],
            "suppression": {
                "k": release.k,
                "profile_released": list(release.released),
                "profile_dropped": list(release.dropped),
                "units_without_profile": len(release.small_units),
                "answers_with_procedure_code_blanked": plan.procedures_hidden,
                "rule_vi": (
                    f"Thuộc tính người trả lời chỉ được công bố khi mỗi tổ hợp (đơn vị × các thuộc "
                    f"tính) có ít nhất {release.k} câu trả lời; bỏ lần lượt thuộc tính hiếm nhất; "
                    f"đơn vị có dưới {release.k} câu trả lời không công bố thuộc tính nào."
                ),
                "rule_en": (
                    f"Respondent attributes are released only when every (unit × attributes) "
                    f"combination has at least {release.k} answers; the rarest attribute is "
                    f"dropped first; units with fewer than {release.k} answers release none."
                ),
            },
        },
    }
