"""Benchmark: durable submissions per second through the real server, against a no-op route.

For each database (a fresh SQLite file; a fresh PostgreSQL database), this migrates, creates
an open campaign, signs one form token per answer, starts ``hailong serve`` (the writer
process, then granian's workers serving ``hailong.asgi``), and drives it with wrk on loopback:

1. the no-op route of the same server (``/bench/noop``: reads and decodes the JSON body,
   answers 201, writes nothing) — the baseline;
2. the checked-only route (``/bench/checked``): the submission route's every check (token,
   rate limits, answers against the questionnaire, flags, duplicate key, the row to write),
   then 201 without writing — the like-for-like baseline of the durable path;
3. the submission route (``/api/v1/answers``): every check, the writer, a 201 only after the
   COMMIT that holds the answer;
4. the database alone, once the server has stopped: the route's own ``write_batch`` run by
   one process, then by as many processes as workers, committing batches of 64 answers (the
   most 64 connections can have waiting) with nothing else running on the machine. What the
   database stores this way bounds what the route can acknowledge: the ceiling any writer
   design can reach on this machine.

It prints the rates, their ratios, the latency percentiles, then checks that every answer
acknowledged is in the database: a count for the wrk run, and answer by answer (its receipt)
for a second run by a client that records every acknowledgement.

Run: ``.venv/bin/python bench/submit.py`` (``--db sqlite``, ``--seconds 15``, ``--workers 2``,
``--connections 64``). Needs wrk (Debian package ``wrk``: installed when apt is available).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get(
    "HAILONG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/hailong"
)
BENCH_DB = os.environ.get("HAILONG_BENCH_DB", "hailong_bench_submit")
if not BENCH_DB.isidentifier():
    sys.exit("HAILONG_BENCH_DB must be a plain database name")

LUA = r"""
local tid = 0
function setup(thread) thread:set("id", tid); tid = tid + 1 end
local bodies, n = {}, 0
function init(args)
  local threads, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if i % threads == id then n = n + 1; bodies[n] = line end
    i = i + 1
  end
end
local k = 0
function request()
  k = k + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[(k - 1) % n + 1])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f %.3f %.3f\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install the Debian package 'wrk'.")
    return found


def database_url(kind: str, var: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{var / 'bench.sqlite3'}"
    import psycopg

    base = PG_BASE.rsplit("/", 1)[0]
    name = BENCH_DB  # another checkout's bench on the same server must not share it
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


SEED = r"""
import datetime as dt, json, sys, time, random
import django
django.setup()
from django.utils import timezone
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.integrity import token_new, token_sign
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind
builtin_instruments_load()
today = timezone.localdate()
campaign = Campaign.objects.create(code="bench", name="bench", year=today.year,
    instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
    period_start=today - dt.timedelta(days=1), period_end=today + dt.timedelta(days=1),
    status="open", channels=[])
units = [Unit.objects.create(code=f"U{i:03d}", name=f"Đơn vị {i}", kind=UnitKind.COMMUNE) for i in range(200)]
CampaignUnit.objects.bulk_create([CampaignUnit(campaign=campaign, unit=u, quota=100) for u in units])
items = [q.code for q in campaign.instrument.to_core().items()]
rng = random.Random(7)
issued = int(time.time()) - 600
with open(sys.argv[1], "w") as out:
    for n in range(int(sys.argv[2])):
        t = token_new(campaign_id=campaign.pk, unit_id=units[n % 200].pk)
        t = type(t)(**{**t.__dict__, "issued": issued})
        answers = {q: rng.choice((3, 4, 4, 5, 5, 2)) for q in items if not q.startswith("f5")}
        answers["gave_feedback"] = 2
        out.write(json.dumps({"form_token": token_sign(t), "answers": answers}) + "\n")
"""

COUNT = r"""
import sys, django
django.setup()
from hailong.collection.models import Response
keys = set(sys.stdin.read().split())
found = set(Response.objects.filter(receipt__in=keys).values_list("receipt", flat=True)) if keys else set()
print(Response.objects.count(), len(keys), len(keys - found))
"""


STORAGE = r"""
import datetime as dt, json, sys, time
import django
django.setup()
from hailong.campaigns.models import Campaign
from hailong.collection.writer import pending_new, write_settled
bodies, part, batch, seconds, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
campaign = Campaign.objects.get(code="bench")
units = list(campaign.scope.values_list("unit_id", flat=True))
answers = [json.loads(line)["answers"] for line in open(bodies)][:20000]
def row(n):
    return pending_new(key=f"storage-{part}-{n}", campaign_id=campaign.pk, instrument_id=campaign.instrument_id,
                   unit_id=units[n % len(units)], service_id=None, year=campaign.year, source="web",
                   collection_mode="online", submitted_at=dt.datetime.now(dt.UTC),
                   answers=answers[n % len(answers)], profile={}, client_hash="h" * 32)
rows = [row(n) for n in range(int(seconds * 40000))]  # more than one writer can store
time.sleep(max(0.0, start - time.time()))
began, n = time.perf_counter(), 0
while time.perf_counter() - began < seconds and n + batch <= len(rows):
    write_settled(rows[n : n + batch])  # as the writer does it
    n += batch
print(n, time.perf_counter() - began)
"""


def cpu_busy() -> float:
    """Core-seconds the whole machine has spent busy (not idle, not waiting for the disk)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle, iowait, steal = fields[3], fields[4], fields[7]  # steal: given to other machines
    return (sum(fields) - idle - iowait - steal) / os.sysconf("SC_CLK_TCK")


def storage_alone(
    env: dict[str, str], bodies: Path, writers: int, batch: int, seconds: float
) -> tuple[float, float]:
    """Answers per second the route's own ``write_batch`` stores with nothing else running:
    ``writers`` processes at once, each committing batches of ``batch`` answers; and the
    machine's CPU time per answer stored (the database server's included)."""
    start = time.time() + 8  # every process set up, then all start together
    procs = []
    for i in range(writers):
        argv = [sys.executable, "-c", STORAGE, str(bodies), f"{writers}-{i}", str(batch),
                str(seconds), str(start)]  # fmt: skip
        procs.append(
            subprocess.Popen(
                argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    time.sleep(max(0.0, start - time.time()))
    busy = cpu_busy()
    time.sleep(seconds)
    busy = cpu_busy() - busy
    rate = count = 0.0
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 120)
        if proc.returncode:
            sys.exit(err[-3000:])
        n, took = out.split()
        rate += int(n) / float(took)
        count += int(n)
    return rate, busy / count


def django_run(env: dict[str, str], code: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return done.stdout


def wrk(url: str, bodies: Path, script: Path, seconds: int, connections: int) -> dict[str, float]:
    threads = 2
    busy = cpu_busy()
    out = subprocess.run(
        [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(script), url, "--", str(bodies), str(threads)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    busy = cpu_busy() - busy
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, bad, sock, timeout, duration, p50, p99, worst = (float(v) for v in line.split()[1:])
    return {
        "requests": requests,
        "bad_status": bad,
        "socket_errors": sock,
        "timeouts": timeout,
        "rate": requests / duration,
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": worst,
        "cpu_per_request": busy / requests,  # wrk's own included, as for every route
    }


async def recorded_run(port: int, bodies: list[str], connections: int) -> list[str]:
    """Send ``bodies`` over keep-alive connections; the receipts of every 201 received."""
    receipts: list[str] = []
    queue = list(bodies)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            body = queue.pop().encode()
            writer.write(
                b"POST /api/v1/answers HTTP/1.1\r\nHost: bench\r\n"
                b"Content-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body
            )  # fmt: skip
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while (header := await reader.readline()) not in (b"\r\n", b""):
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            payload = await reader.readexactly(length)
            if status_line.split()[1] == b"201":
                receipts.append(json.loads(payload)["receipt"])
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return receipts


def run_one(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix=f"hailong-bench-{kind}-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hailong.settings.base",
        "HAILONG_VAR_DIR": str(var),
        "HAILONG_DATABASE_URL": database_url(kind, var),
        "HAILONG_BENCH_NOOP": "1",
        "HAILONG_SUBMIT_PER_MINUTE": "100000000",
        "HAILONG_SUBMIT_BURST": "100000000",
        "HAILONG_ALLOWED_HOSTS": "*",
        "PYTHONPATH": str(ROOT / "src"),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=env, check=True
    )
    bodies = var / "bodies.jsonl"
    total = 30_000 + int(args.seconds * 15_000) + 3_000
    django_run(env, SEED, str(bodies), str(total))
    script = var / "bench.lua"
    script.write_text(LUA)
    port = free_port()
    server = subprocess.Popen(  # what `hailong serve` runs: the writer, then granian
        [sys.executable, "-m", "django", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        lines = bodies.read_text().splitlines()
        warm, measured = var / "warm.jsonl", var / "measured.jsonl"
        warm.write_text("\n".join(lines[:30_000]) + "\n")
        measured.write_text("\n".join(lines[30_000:-3000]) + "\n")
        wrk(base + "/api/v1/answers", warm, script, 2, args.connections)  # warm up
        before = int(django_run(env, COUNT, stdin="").split()[0])
        noop = wrk(base + "/bench/noop", measured, script, args.seconds, args.connections)
        only = wrk(base + "/bench/checked", measured, script, args.seconds, args.connections)
        submit = wrk(base + "/api/v1/answers", measured, script, args.seconds, args.connections)
        stored_after = int(django_run(env, COUNT, stdin="").split()[0])
        acknowledged = submit["requests"] - submit["bad_status"] - submit["socket_errors"]
        receipts = asyncio.run(recorded_run(port, lines[-3000:], args.connections))
    finally:
        server.terminate()
        server.wait(timeout=20)
    total_rows, checked, missing = (int(v) for v in django_run(
        env, COUNT, stdin="\n".join(receipts)).split())  # fmt: skip
    storage = {
        writers: storage_alone(env, var / "measured.jsonl", writers, 64, args.seconds)
        for writers in sorted({1, args.workers})
    }
    shutil.rmtree(var, ignore_errors=True)
    return {
        "db": kind,
        "noop": noop,
        "checked": only,
        "submit": submit,
        "ratio": submit["rate"] / noop["rate"],
        "stored_in_run": stored_after - before,
        "acknowledged_in_run": acknowledged,
        "recorded_checked": checked,
        "recorded_missing": missing,
        "rows": total_rows,
        "storage": storage,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"{os.cpu_count()} cores; wrk -t2 -c{args.connections} -d{args.seconds}s; "
          f"granian --workers {args.workers}")  # fmt: skip
    for kind in kinds:
        r = run_one(kind, args)
        n, c, s = r["noop"], r["checked"], r["submit"]
        print(f"\n[{kind}]")
        print(
            f"  no-op route     {n['rate']:8.0f} req/s   p50 {n['p50_ms']:6.1f} ms   p99 {n['p99_ms']:6.1f} ms"
        )
        print(
            f"  checked only    {c['rate']:8.0f} req/s   p50 {c['p50_ms']:6.1f} ms   p99 {c['p99_ms']:6.1f} ms"
            f"   (non-2xx: {c['bad_status']:.0f})"
        )
        print(
            f"  durable submit  {s['rate']:8.0f} req/s   p50 {s['p50_ms']:6.1f} ms   p99 {s['p99_ms']:6.1f} ms   max {s['max_ms']:6.1f} ms"
        )
        print(
            f"  ratio submit / no-op: {r['ratio']:.2f}   non-2xx: {s['bad_status']:.0f}   socket errors: {s['socket_errors']:.0f}"
        )
        print(
            f"  ratio submit / checked only: {s['rate'] / c['rate']:.2f}   "
            f"checked only / no-op: {c['rate'] / n['rate']:.2f}"
        )
        print(
            f"  wrk run: {r['acknowledged_in_run']:.0f} acknowledged, {r['stored_in_run']} stored "
            f"({'OK' if r['stored_in_run'] >= r['acknowledged_in_run'] else 'MISSING ANSWERS'})"
        )
        best = max(rate for rate, _ in r["storage"].values())
        alone = ", ".join(
            f"{v:.0f}/s ({k} writing, {cpu * 1e6:.0f} µs CPU each)"
            for k, (v, cpu) in r["storage"].items()
        )
        print(f"  the database alone (write_batch, batches of 64, nothing else running): {alone}")
        print(f"  ratio database alone / no-op: {best / n['rate']:.2f}")
        cores = os.cpu_count() or 1
        per = {k: v["cpu_per_request"] * 1e6 for k, v in (("no-op", n), ("checked", c))}
        cheapest = min(cpu for _, cpu in r["storage"].values()) * 1e6
        bound = cores * 1e6 / (per["checked"] + cheapest)
        print(
            f"  CPU per answer: no-op {per['no-op']:.0f} µs, checked only {per['checked']:.0f} µs, "
            f"database alone {cheapest:.0f} µs (every process on the machine, wrk included)"
        )
        print(
            f"  on {cores} cores the checks and the database together allow at most "
            f"{bound:.0f}/s: {bound / n['rate']:.2f} of the no-op route"
        )
        free = cores * 1e6 / (per["no-op"] + cheapest)
        print(
            f"  even with checks that cost nothing (the no-op route's work, then the database): "
            f"at most {free:.0f}/s, {free / n['rate']:.2f} of the no-op route"
        )
        print(f"  recorded run: {r['recorded_checked']} receipts acknowledged, "
              f"{r['recorded_missing']} missing from the database")  # fmt: skip


if __name__ == "__main__":
    main()
