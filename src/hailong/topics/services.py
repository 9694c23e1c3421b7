"""Keep a campaign's comments in step with its answers: tag new and changed text, drop removed.

Not on the submission path (``collection/intake.py`` and ``writer.py`` stay as fast as they
are): ``comments_sync`` runs in ``hailong compute`` and, bounded, before a page reads comments.
It reads answers in the order they last changed, from a mark kept per campaign, so a call costs
what changed since the last one. A text tagged with the same lexicon is never tagged again; a
new lexicon (another digest) re-tags everything, in as many calls as the bound needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from hailong.campaigns.models import Campaign
from hailong.collection.models import WRITE_SLACK, Response
from hailong.comments import Lexicon, comment_tags, mask, normalise
from hailong.comments.lexicon import default_lexicon
from hailong.core.text import strip_diacritics
from hailong.instruments.models import InstrumentVersion

from .models import FACTOR_FIELDS, Comment, CommentSync

# An answer written in a transaction that commits after a sync has read past its changed_at
# would be missed. What a sync that started at S did not see has changed_at >= S - SLACK
# (collection.models.WRITE_SLACK): the next sync reads from there, or from its mark when that
# is earlier (when a bound stopped it).
SLACK = WRITE_SLACK
CHUNK = 500


@dataclass
class SyncReport:
    """What one call did: answers read, comments tagged and removed, whether it read them all."""

    read: int = 0
    tagged: int = 0
    removed: int = 0
    complete: bool = True
    seconds: float = 0.0


def lexicon_digest(lexicon: Lexicon) -> str:
    """A digest of what the lexicon matches: a change of any entry re-tags every comment."""
    content = repr(
        (
            lexicon.factor_entries,
            lexicon.tone_entries,
            sorted(lexicon.spelling.items()),
            lexicon.window,
        )
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _text_questions(version: InstrumentVersion) -> list[str]:
    return [
        q.code
        for q in version.to_core().questions()
        if q.scale.type == "text" and q.role != "profile"
    ]


def comment_build(
    *, response: dict[str, Any], question: str, text: str, lexicon: Lexicon, digest: str
) -> Comment:
    """Tag and mask one text: personal data is masked before the text is stored or searched."""
    tags = comment_tags(text, lexicon)
    masked = mask(text)
    shown = normalise(masked.text)
    flags = {name: code in tags.factors for code, name in FACTOR_FIELDS.items()}
    return Comment(
        response_id=response["id"],
        question=question,
        campaign_id=response["campaign_id"],
        unit_id=response["unit_id"],
        submitted_at=response["submitted_at"],
        text=shown,
        search=strip_diacritics(shown).lower(),
        tone=tags.tone,
        evidence=[
            # a span from a negator to its cue may hold a name: masked like the text
            {"tag": e.tag, "text": mask(e.text).text, "entry": e.entry, "note": e.note}
            for e in tags.evidence
        ],
        masked=sorted(set(masked.found)),
        source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        lexicon_digest=digest,
        **flags,
    )


def _write(
    state: CommentSync,
    *,
    new: list[Comment],
    stale: list[int],
    mark: dt.datetime | None,
    digest: str,
    complete: bool,
    began: dt.datetime,
) -> None:
    """One short transaction: the submission writer waits for the database only this long.

    Syncs of the same campaign (two pages loaded at once) take turns on the state row, and each
    replaces by (response, question) whatever the other wrote meanwhile, so neither fails.
    """
    with transaction.atomic():
        CommentSync.objects.select_for_update().filter(pk=state.pk).first()
        for start in range(0, len(stale), CHUNK):
            Comment.objects.filter(id__in=stale[start : start + CHUNK]).delete()
        by_question: dict[str, list[int]] = {}
        for c in new:
            by_question.setdefault(c.question, []).append(c.response_id)
        for question, ids in by_question.items():
            for start in range(0, len(ids), CHUNK):
                part = ids[start : start + CHUNK]
                Comment.objects.filter(question=question, response_id__in=part).delete()
        Comment.objects.bulk_create(new, batch_size=CHUNK)
        state.mark = mark if mark is not None else state.mark
        state.lexicon_digest = digest
        state.complete = complete
        state.synced_at = began
        state.save()


def comments_sync(
    *, campaign: Campaign, limit: int | None = None, lexicon: Lexicon | None = None
) -> SyncReport:
    """Tag the campaign's answers changed since the last call; at most ``limit`` new tags.

    Idempotent: a second call with nothing changed tags nothing, and reads only the answers
    changed since the first began (less ``SLACK``). Returns what it did; ``complete`` is False
    when ``limit`` stopped it.
    """
    started = time.perf_counter()
    began = timezone.now()
    lex = lexicon or default_lexicon()
    digest = lexicon_digest(lex)
    state, _ = CommentSync.objects.get_or_create(campaign=campaign)
    responses = Response.objects.filter(campaign=campaign)
    if state.lexicon_digest == digest and state.mark is not None:
        since = state.mark
        if state.synced_at is not None:
            since = min(since, state.synced_at - SLACK)
        responses = responses.filter(changed_at__gte=since)
    rows: Iterator[Any] = (
        responses.order_by("changed_at", "id")
        .values(
            "id", "campaign_id", "unit_id", "instrument_id", "submitted_at", "changed_at", "answers"
        )
        .iterator(chunk_size=CHUNK)
    )
    report = SyncReport()
    questions: dict[int, list[str]] = {}
    chunk: list[dict[str, Any]] = []
    mark: dt.datetime | None = None

    def flush() -> bool:
        """Tag one chunk; False when the limit was reached inside it."""
        nonlocal mark
        existing: dict[tuple[int, str], tuple[int, tuple[str, str, int, dt.datetime]]] = {
            (r, q): (pk, (h, d, u, s))
            for pk, r, q, h, d, u, s in Comment.objects.filter(
                response_id__in=[row["id"] for row in chunk]
            ).values_list(
                "id",
                "response_id",
                "question",
                "source_hash",
                "lexicon_digest",
                "unit_id",
                "submitted_at",
            )
        }
        new: list[Comment] = []
        stale: list[int] = []
        done = True
        for row in chunk:
            if limit is not None and report.tagged >= limit:
                done = False
                break
            version = row["instrument_id"]
            if version not in questions:
                questions[version] = _text_questions(InstrumentVersion.objects.get(pk=version))
            answers = row["answers"] if isinstance(row["answers"], dict) else {}
            for code in questions[version]:
                value = answers.get(code)
                text = value.strip() if isinstance(value, str) else ""
                key = (row["id"], code)
                if not text:
                    if key in existing:
                        stale.append(existing[key][0])
                        report.removed += 1
                    continue
                current = (
                    hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    digest,
                    row["unit_id"],
                    row["submitted_at"],
                )
                if key in existing:
                    if existing[key][1] == current:
                        continue
                    stale.append(existing[key][0])
                new.append(
                    comment_build(
                        response=row, question=code, text=text, lexicon=lex, digest=digest
                    )
                )
                report.tagged += 1
            report.read += 1
            mark = row["changed_at"]
        if (
            new
            or stale
            or mark != state.mark
            or done != state.complete
            or digest != state.lexicon_digest
        ):
            _write(
                state, new=new, stale=stale, mark=mark, digest=digest, complete=done, began=began
            )
        return done

    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            if not flush():
                report.complete = False
                break
            chunk = []
    else:
        if chunk and not flush():
            report.complete = False
    idle = state.synced_at is None or began - state.synced_at > SLACK
    if report.complete and (state.lexicon_digest != digest or not state.complete or idle):
        _write(state, new=[], stale=[], mark=mark, digest=digest, complete=True, began=began)
    report.seconds = time.perf_counter() - started
    return report
