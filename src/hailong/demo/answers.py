"""Synthetic but realistic answers for the demo province.

Each answer on the 5-point scale comes from a latent score: a province-wide level, plus
a unit effect, a unit-by-factor effect, an item effect, the respondent's leniency and
noise, cut at fixed thresholds. So units differ, factors differ within units (feedback
handling lowest, civil servants highest, as in the national series), and one person's
answers hang together. Overall about 83% "satisfied", near the national 2023 figure.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hailong.collection.filing import filing_channel
from hailong.measurement.instruments import Instrument, Question

THRESHOLDS = (-1.6, -0.8, 0.0, 1.15)
FACTOR_SHIFT = {"F1": 0.08, "F2": 0.0, "F3": 0.12, "F4": 0.05, "F5": -0.18}
PROFILE_WEIGHTS: dict[str, list[float]] = {
    "gioi_tinh": [52, 48],
    "dan_toc": [82, 18],
    "tuoi": [9, 24, 34, 21, 12],
    "hoc_van": [8, 22, 33, 17, 17, 3],
    "nghe_nghiep": [9, 6, 38, 2, 22, 18, 5],
    "noi_o": [28, 72],
    "dia_ban": [34, 64, 2],
    "hinh_thuc_nop": [58, 17, 20, 5],
}
SOURCES = [
    ("paper", "paper", 45),
    ("web", "online", 18),
    ("qr", "desk_qr", 27),
    ("paper", "interview", 10),
]


@dataclass
class UnitPlan:
    """How many answers a unit gets and how well it serves (its latent effect)."""

    unit_id: int
    n: int
    effect: float
    services: list[int] = field(default_factory=list)


def likert(latent: float) -> int:
    return 1 + sum(latent >= t for t in THRESHOLDS)


def _pick(rng: random.Random, question: Question) -> int:
    values = [o.value for o in question.scale.options]
    weights = PROFILE_WEIGHTS.get(question.code)
    if weights is None or len(weights) != len(values):
        return rng.choice(values)
    return rng.choices(values, weights)[0]


def _comment(rng: random.Random, mean: float, comments: dict[str, list[str]]) -> str:
    if mean < 3.3:
        tone = rng.choices(["complaint", "suggestion"], [75, 25])[0]
    elif mean >= 4.3:
        tone = rng.choices(["praise", "suggestion"], [70, 30])[0]
    else:
        tone = rng.choices(["suggestion", "complaint", "praise"], [60, 25, 15])[0]
    return rng.choice(comments[tone])


def _moment(rng: random.Random, start: dt.date, end: dt.date, tz: dt.tzinfo) -> dt.datetime:
    days = (end - start).days
    while True:
        day = start + dt.timedelta(days=rng.randint(0, days))
        if day.weekday() < 5 or rng.random() < 0.15:
            break
    minute = rng.randint(7 * 60 + 30, 17 * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randint(0, 59)), tz)


def generate(
    *,
    instrument: Instrument,
    plans: list[UnitPlan],
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo,
    comments: dict[str, list[str]],
    seed: int = 2024,
) -> Iterator[dict[str, Any]]:
    """Yield one dict per answer: unit, service, source, mode, time, answers and profile."""
    rng = random.Random(seed)
    items = instrument.items()
    item_shift = {q.code: rng.gauss(0, 0.1) for q in items}
    questions = list(instrument.questions())
    for plan in plans:
        factor_shift = {
            f.code: rng.gauss(0, 0.2) + FACTOR_SHIFT.get(f.code, 0.0) for f in instrument.factors
        }
        for _ in range(plan.n):
            leniency = rng.gauss(0, 0.5)
            answers: dict[str, Any] = {}
            profile: dict[str, Any] = {}
            for q in questions:
                if q.show_if is not None and not q.show_if.holds(answers):
                    continue
                if q.is_item:
                    if q.not_applicable and rng.random() < 0.03:
                        continue
                    latent = 0.95 + plan.effect + factor_shift[q.factor or ""] + item_shift[q.code]
                    answers[q.code] = likert(latent + leniency + rng.gauss(0, 0.6))
                elif q.role == "screening":
                    answers[q.code] = 1 if rng.random() < 0.22 else 2
                elif q.role == "profile" and q.scale.type in ("choice", "ordinal"):
                    if rng.random() < 0.97:
                        profile[q.code] = _pick(rng, q)
                elif q.role == "overall" and q.scale.type == "ordinal":
                    answers[q.code] = likert(0.95 + plan.effect + leniency + rng.gauss(0, 0.6))
            rated = [v for k, v in answers.items() if k in item_shift]
            mean = sum(rated) / len(rated) if rated else 3.0
            comment_q = next((q for q in questions if q.role == "comment"), None)
            if comment_q is not None and rng.random() < 0.18:
                answers[comment_q.code] = _comment(rng, mean, comments)
            source, mode = rng.choices([(s, m) for s, m, _ in SOURCES], [w for *_, w in SOURCES])[0]
            submitted = _moment(rng, start, end, tz)
            yield {
                "unit_id": plan.unit_id,
                "service_id": rng.choice(plan.services) if plan.services else None,
                "source": source,
                "collection_mode": mode,
                "filing_channel": filing_channel("", profile),
                "submitted_at": submitted,
                "result_date": submitted.date() - dt.timedelta(days=rng.randint(0, 20)),
                "answers": answers,
                "profile": profile,
            }


def unit_plans(
    units: list[tuple[int, str]],
    services: dict[int, list[int]],
    total: int,
    quota: dict[int, int],
    seed: int = 7,
) -> list[UnitPlan]:
    """Split ``total`` answers across units in proportion to their quotas, with some shortfall."""
    rng = random.Random(seed)
    weights = [quota[uid] * rng.uniform(0.8, 1.1) for uid, _ in units]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    plans = []
    for (uid, kind), n in zip(units, counts, strict=True):
        base = {"department": -0.1, "service_centre": 0.25, "ward": 0.05}.get(kind, 0.0)
        plans.append(
            UnitPlan(
                unit_id=uid, n=n, effect=base + rng.gauss(0, 0.35), services=services.get(uid, [])
            )
        )
    return plans
