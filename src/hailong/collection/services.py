"""Storing answers that arrive in batches (file imports, paper entry).

Every answer carries an idempotency key: a batch imported twice stores nothing new, and a
key seen before with other content is refused, so acknowledged data is never duplicated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from hailong.campaigns.models import Campaign
from hailong.instruments.services import instrument_freeze
from hailong.measurement.instruments import Instrument
from hailong.units.models import Service, Unit

from .filing import filing_channel
from .models import Response
from .receipts import receipt_new


class ConflictingAnswer(ValueError):
    """An idempotency key already stored with different answers."""


class UnitNotValid(ValueError):
    """An answer dated when its unit did not exist (merged, split, not yet created)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class Incoming:
    """One answer to store: its key, when it was given, and its answers by question code.

    The respondent block may be given inside ``answers`` (it is split off by question role)
    or apart in ``profile``; ``flags`` are integrity flags (a flagged answer waits for review).
    """

    key: str
    submitted_at: dt.datetime | None
    answers: dict[str, Any]
    service: Service | None = None
    filing_channel: str = ""
    result_date: dt.date | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    stored: int
    already: int


def _fingerprint(answers: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def split_profile(
    instrument: Instrument, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The respondent block is stored apart from the answers (it can be coarsened alone)."""
    profile_codes = {q.code for q in instrument.questions() if q.role == "profile"}
    return (
        {k: v for k, v in answers.items() if k not in profile_codes},
        {k: v for k, v in answers.items() if k in profile_codes},
    )


@transaction.atomic
def responses_import(
    *,
    campaign: Campaign,
    unit: Unit,
    incoming: Sequence[Incoming],
    source: str,
    collection_mode: str,
) -> ImportReport:
    """Store a batch, all or nothing; keys seen before with the same answers are skipped.

    Raises :class:`UnitNotValid` when an answer is dated (or, undated, stored today) outside
    the unit's validity: a batch opened before a merge takes no answer after it.
    """
    instrument = campaign.instrument.to_core()
    now = timezone.now()
    # read under a lock: a merge that ends the unit meanwhile waits for this batch, or this
    # batch sees the unit's new end (units_merge locks the same row)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    keys = [i.key for i in incoming]
    stored = {
        r.idempotency_key: r
        for r in Response.objects.filter(idempotency_key__in=keys).only(
            "idempotency_key", "answers", "profile"
        )
    }
    new: list[Response] = []
    already = 0
    for item in incoming:
        answers, profile = split_profile(instrument, {**item.profile, **item.answers})
        previous = stored.get(item.key)
        if previous is not None:
            if _fingerprint({**previous.answers, **previous.profile}) != _fingerprint(
                {**answers, **profile}
            ):
                raise ConflictingAnswer(
                    f"Mã '{item.key}' đã lưu với câu trả lời khác / key '{item.key}' was stored with other answers"
                )
            already += 1
            continue
        # a device whose clock runs ahead does not date an answer in the future
        submitted_at = min(item.submitted_at or now, now)
        problem = unit.validity_problem(timezone.localdate(submitted_at))
        if problem is not None:
            raise UnitNotValid(*problem)
        new.append(
            Response(
                idempotency_key=item.key,
                campaign=campaign,
                instrument=campaign.instrument,
                unit=unit,
                service=item.service,
                source=source,
                collection_mode=collection_mode,
                filing_channel=filing_channel(item.filing_channel, profile),
                result_date=item.result_date,
                submitted_at=submitted_at,
                answers=answers,
                profile=profile,
                flags=list(item.flags),
                review=Response.Review.FLAGGED if item.flags else Response.Review.ACCEPTED,
            )
        )
    for response, receipt in zip(new, receipts_unused(campaign.year, len(new)), strict=True):
        response.receipt = receipt
    Response.objects.bulk_create(new)
    if new:
        instrument_freeze(version=campaign.instrument)
    return ImportReport(stored=len(new), already=already)


def receipts_unused(year: int, count: int) -> list[str]:
    """``count`` new receipts, no two alike and none stored before.

    45 random bits make a clash rare (a batch of 5 000 beside a million stored answers: about
    one in 7 000), but one clash would fail the whole batch; drawing again costs a lookup.
    """
    chosen: set[str] = set()
    for _ in range(10):  # more clashes than that: the random source is broken, not unlucky
        drawn = [receipt_new(year) for _ in range(count - len(chosen))]
        fresh = set(drawn) - chosen
        for start in range(0, len(drawn), 1000):
            fresh -= set(
                Response.objects.filter(receipt__in=drawn[start : start + 1000]).values_list(
                    "receipt", flat=True
                )
            )
        chosen |= fresh
        if len(chosen) == count:
            return list(chosen)
    raise RuntimeError(f"{count - len(chosen)} receipts still clash after ten draws")


def submission_time(text: str | None) -> dt.datetime | None:
    """An ODK/Kobo submission time (ISO 8601); one without a zone is taken as UTC."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class ReviewRefused(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@transaction.atomic
def responses_review(*, actor: Any, ids: Sequence[int], decision: str, reason: str) -> list[str]:
    """Accept or reject flagged answers; the receipts decided. One audit entry per decision.

    A rejected answer is kept (it may be looked at again) but never counted; ``changed_at``
    moves so that the analytics store picks the decision up at its next sync.
    """
    from hailong.audit.services import audit_record

    if decision not in (Response.Review.ACCEPTED, Response.Review.REJECTED):
        raise ReviewRefused("quyết định không hợp lệ", "not a valid decision")
    if not reason.strip():
        raise ReviewRefused("hãy ghi lý do của quyết định", "give the reason for the decision")
    if not ids:
        raise ReviewRefused("chưa chọn câu trả lời nào", "no answer was chosen")
    chosen = Response.objects.select_for_update().filter(
        pk__in=list(ids), review=Response.Review.FLAGGED
    )
    decided = list(chosen.values_list("receipt", "unit_id", "flags"))
    if len(decided) != len(set(ids)):
        raise ReviewRefused(
            "có câu trả lời đã được xét hoặc không chờ xét; hãy tải lại trang",
            "some answers were already decided or are not waiting; reload the page",
        )
    units = {unit_id for _, unit_id, _ in decided}
    audit_record(
        action=f"review.{'accept' if decision == Response.Review.ACCEPTED else 'reject'}",
        actor=actor,
        unit=Unit.objects.get(pk=units.pop()) if len(units) == 1 else None,
        reason=reason.strip(),
        data={"receipts": sorted(r for r, _, _ in decided), "count": len(decided)},
    )
    # stamped last, after any wait for the audit chain, so the commit follows it closely
    Response.objects.filter(pk__in=list(ids)).update(review=decision, changed_at=timezone.now())
    return [r for r, _, _ in decided]
