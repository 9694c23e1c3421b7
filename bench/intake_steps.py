"""Micro-benchmark: the submission route's steps in process, µs per submission (performance.md).

Throughput through a server depends on what else the machine runs; the CPU time of each step
of one request (``time.thread_time_ns``), measured over many calls in one process, much less. This script builds a
fresh SQLite database with the bench's campaign (bench/submit.py), then times, over ``-n``
submissions to the 22-item provincial questionnaire (each with its own signed form token):

- each step of ``Intake._pending`` on its own (JSON decode, token, answer check, address
  hash, near-duplicate key, flags, the pending row: fingerprint and encoding);
- the whole of ``Intake._pending`` (every check, nothing written), awaited as the route does;
- ``write_batch`` in batches of 200 (the writer thread's SQL, per answer).

Run: ``.venv/bin/python bench/intake_steps.py`` (``-n 10000``; ``--profile`` prints the
cProfile of the whole step).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import cProfile
import datetime as dt
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    var = Path(tempfile.mkdtemp(prefix="hailong-steps-"))
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hailong.settings.base",
            "HAILONG_VAR_DIR": str(var),
            "HAILONG_DATABASE_URL": f"sqlite:///{var / 'steps.sqlite3'}",
            "HAILONG_SUBMIT_PER_MINUTE": "100000000",
            "HAILONG_SUBMIT_BURST": "100000000",
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(n: int) -> tuple[list[bytes], Any]:
    import msgspec
    from django.utils import timezone

    from hailong.campaigns.models import Campaign, CampaignUnit
    from hailong.collection.integrity import token_new, token_sign
    from hailong.instruments.models import InstrumentVersion
    from hailong.instruments.services import builtin_instruments_load
    from hailong.units.models import Unit, UnitKind

    builtin_instruments_load()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="bench",
        name="bench",
        year=today.year,
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
        period_start=today - dt.timedelta(days=1),
        period_end=today + dt.timedelta(days=1),
        status="open",
        channels=[],
    )
    units = [
        Unit.objects.create(code=f"U{i:03d}", name=f"Đơn vị {i}", kind=UnitKind.COMMUNE)
        for i in range(200)
    ]
    CampaignUnit.objects.bulk_create(
        [CampaignUnit(campaign=campaign, unit=u, quota=100) for u in units]
    )
    items = [q.code for q in campaign.instrument.to_core().items()]
    rng = random.Random(7)
    issued = int(time.time()) - 600
    bodies = []
    for k in range(n):
        t = token_new(campaign_id=campaign.pk, unit_id=units[k % 200].pk)
        t = type(t)(**{**t.__dict__, "issued": issued})
        answers = {q: rng.choice((3, 4, 4, 5, 5, 2)) for q in items if not q.startswith("f5")}
        answers["gave_feedback"] = 2
        bodies.append(msgspec.json.encode({"form_token": token_sign(t), "answers": answers}))
    return bodies, campaign


def timed(name: str, calls: list[Callable[[], Any]], results: dict[str, float]) -> None:
    start = time.thread_time_ns()
    for call in calls:
        call()
    results[name] = (time.thread_time_ns() - start) / len(calls) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many rounds")
    args = parser.parse_args()
    setup()
    bodies, _campaign = seed(args.n)

    from hailong.collection import intake as route
    from hailong.collection.integrity import answer_flags, client_hash, token_read
    from hailong.collection.writer import Pending, answers_json, pending_new, write_batch

    app = route.Intake()
    app.catalogue.ttl = 1e9  # no refresh in the middle of a measurement
    headers = {b"content-type": b"application/json"}
    loop = asyncio.new_event_loop()
    catalogue = loop.run_until_complete(app.catalogue.get())
    loop.run_until_complete(app._client_hash("127.0.0.1", time.time()))  # today's salt, loaded once
    entry = next(iter(catalogue.campaigns.values()))
    checker = entry.checker
    decoded = [route._decode(headers, b, False)[1] for b in bodies]
    checked = [checker.check(d["answers"]) for d in decoded]
    encoded = [answers_json(c.answers) for c in checked]
    salt = b"s" * 32

    best: dict[str, float] = {}
    for _ in range(args.repeat):
        results: dict[str, float] = {}
        timed(
            "decode JSON", [lambda b=b: route._decode(headers, b, False) for b in bodies], results
        )
        timed("token", [lambda d=d: token_read(d["form_token"]) for d in decoded], results)
        timed(
            "check 22 answers", [lambda d=d: checker.check(d["answers"]) for d in decoded], results
        )
        timed("address hash", [lambda: client_hash("127.0.0.1", salt)] * len(bodies), results)
        timed(
            "duplicate key",
            [
                lambda e=e, k=k: app.recent.seen_before(route._duplicate_key("h" * 32, k, e))
                for k, e in enumerate(encoded)
            ],
            results,
        )
        timed(
            "flags",
            [
                lambda c=c: answer_flags(
                    item_answers=list(c.answers.values()),
                    answered=len(c.answers),
                    fill_seconds=600,
                )
                for c in checked
            ],
            results,
        )
        pendings: list[Pending] = []

        def pending(c: Any, k: int, pendings: list[Pending] = pendings) -> None:
            pendings.append(
                pending_new(
                    key=f"web-{k:032d}",
                    campaign_id=entry.id,
                    instrument_id=entry.instrument_id,
                    unit_id=1,
                    service_id=None,
                    year=entry.year,
                    source="web",
                    collection_mode="online",
                    submitted_at=dt.datetime.now(dt.UTC),
                    answers=c.answers,
                    profile={},
                    flags=[],
                    sorted_json=answers_json(c.answers),  # encoded once, used twice
                )
            )

        timed(
            "pending row", [lambda c=c, k=k: pending(c, k) for k, c in enumerate(checked)], results
        )

        async def whole() -> None:
            for d in decoded:
                await app._pending(headers, None, d, "127.0.0.1", False)

        start = time.thread_time_ns()
        loop.run_until_complete(whole())
        results["whole _pending"] = (time.thread_time_ns() - start) / len(decoded) / 1000
        app.recent = route.RecentAnswers()
        for name, value in results.items():
            best[name] = min(best.get(name, value), value)

    batches = [pendings[i : i + 200] for i in range(0, len(pendings), 200)]
    start = time.thread_time_ns()
    for batch in batches:
        write_batch(batch)
    best["write_batch (200 a batch)"] = (time.thread_time_ns() - start) / len(pendings) / 1000

    print(f"{len(bodies)} submissions of 22 answers, best of {args.repeat}; µs of CPU each")
    for name, value in best.items():
        print(f"  {name:28s} {value:8.1f}")
    if args.profile:

        async def again() -> None:
            for d in decoded:
                await app._pending(headers, None, d, "127.0.0.1", False)

        app.recent = route.RecentAnswers()
        profiler = cProfile.Profile(time.thread_time)  # CPU time: robust on a busy machine
        profiler.enable()
        loop.run_until_complete(again())
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(18)
        stats.sort_stats("cumulative").print_callees("_pending")


if __name__ == "__main__":
    main()
