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

from .models import Response
from .receipts import receipt_new


class ConflictingAnswer(ValueError):
    """An idempotency key already stored with different answers."""


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
    """Store a batch, all or nothing; keys seen before with the same answers are skipped."""
    instrument = campaign.instrument.to_core()
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
        new.append(
            Response(
                idempotency_key=item.key,
                campaign=campaign,
                instrument=campaign.instrument,
                unit=unit,
                service=item.service,
                source=source,
                collection_mode=collection_mode,
                filing_channel=item.filing_channel,
                result_date=item.result_date,
                submitted_at=item.submitted_at or timezone.now(),
                answers=answers,
                profile=profile,
                flags=list(item.flags),
                review=Response.Review.FLAGGED if item.flags else Response.Review.ACCEPTED,
                receipt=receipt_new(campaign.year),
            )
        )
    Response.objects.bulk_create(new)
    if new:
        instrument_freeze(version=campaign.instrument)
    return ImportReport(stored=len(new), already=already)


def submission_time(text: str | None) -> dt.datetime | None:
    """An ODK/Kobo submission time (ISO 8601); one without a zone is taken as UTC."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
