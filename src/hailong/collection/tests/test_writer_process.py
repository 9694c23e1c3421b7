"""The writer process: one writer for every worker, and what happens when it breaks.

A 201 is sent only on the writer's reply after its COMMIT; a writer that dies or a connection
that breaks costs the answers in flight a 503, never a 201, and their retry (same idempotency
key) is stored once — as a replay when the COMMIT had happened before the break.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import serve_env, serve_start

from hailong.campaigns.models import Campaign
from hailong.collection.intake import Intake
from hailong.collection.models import Response
from hailong.collection.writer import Pending, pending_new
from hailong.collection.writer_process import SocketWriter, WriterServer
from hailong.units.models import Unit

from .conftest import Client
from .test_intake import body

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    # a Unix socket's path must stay short: not pytest's tmp_path
    with tempfile.TemporaryDirectory(prefix="hl-") as folder:
        yield Path(folder)


class Running:
    """A :class:`WriterServer` turning in a thread of its own, as in its own process."""

    def __init__(
        self,
        path: Path,
        server: Callable[[Path], WriterServer] = WriterServer,
        turn: float = 0.05,  # how long a turn waits for a frame
    ) -> None:
        self.server = server(path)
        self.turn = turn
        self.thread = threading.Thread(target=self._turn, daemon=True)
        self.thread.start()

    def _turn(self) -> None:
        try:
            while not self.server.stopping:
                self.server.step(timeout=self.turn)
        finally:
            self.server.close()

    def stop(self) -> None:
        self.server.stopping = True
        self.thread.join(timeout=self.turn + 10)


def _answer(campaign: Campaign, key: str, score: int = 4) -> Pending:
    return pending_new(
        key=key,
        campaign_id=campaign.pk,
        instrument_id=campaign.instrument_id,
        unit_id=Unit.objects.get(code="14797").pk,
        service_id=None,
        year=campaign.year,
        source="api",
        collection_mode="online",
        submitted_at=dt.datetime.now(dt.UTC),
        answers={"tong_the": score},
        profile={},
        result_date=dt.date(2026, 11, 2),
    )


def _run(coroutine: Any) -> Any:
    """On a loop of its own in a thread of its own, as a granian worker runs it."""
    result: list[Any] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # handed to the test's thread
            result.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def test_answers_from_many_requests_share_the_writer_s_commits(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    running = Running(socket_dir / "w.sock")
    answers = [_answer(open_campaign, f"api-{i:04d}", score=1 + i % 5) for i in range(60)]
    other = _answer(open_campaign, "api-0000", score=2)  # the first key, other content

    async def send() -> tuple[list[Any], int]:
        client = SocketWriter(socket_dir / "w.sock")
        stored = await asyncio.gather(*(client.store(a) for a in answers))
        again = await client.store(answers[0])  # a replay: the first receipt, nothing new
        conflict = await client.store(other)
        client.stop()
        return [*stored, again, conflict], client.batches

    try:
        results, batches = _run(send())
    finally:
        running.stop()
    assert [r.outcome for r in results[:60]] == ["stored"] * 60
    assert (results[60].outcome, results[60].receipt) == ("replay", results[0].receipt)
    assert results[61].outcome == "conflict"
    assert batches < 60 and running.server.batches < 60  # answers waiting together, one COMMIT
    assert Response.objects.count() == 60
    first = Response.objects.get(idempotency_key="api-0000")
    assert first.receipt == results[0].receipt and first.result_date == dt.date(2026, 11, 2)


def test_answers_beyond_one_batch_wait_for_the_next_turn(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    # a turn waits 5 s for frames: frames already read must not wait for one
    running = Running(socket_dir / "w.sock", lambda p: WriterServer(p, max_batch=5), turn=5)
    answers = [_answer(open_campaign, f"api-{i:04d}") for i in range(23)]

    async def send() -> list[Any]:
        client = SocketWriter(socket_dir / "w.sock")
        results = await asyncio.gather(*(client.store(a) for a in answers))
        client.stop()
        return results

    started = time.monotonic()
    try:
        results = _run(send())
        took = time.monotonic() - started
    finally:
        running.stop()
    assert took < 4  # not five turns of 5 s
    assert [r.outcome for r in results] == ["stored"] * 23
    assert running.server.batches >= 5 and Response.objects.count() == 23


class DiesAfterCommit(WriterServer):
    """Writes the batch, then dies before any reply leaves."""

    def _write(self, batch: list[Any]) -> None:
        from hailong.collection.writer import write_batch

        write_batch([pending for _, _, pending in batch])
        for peer in self.peers:
            self._drop(peer)
        self.batches += 1


class DiesBeforeCommit(WriterServer):
    def _write(self, batch: list[Any]) -> None:
        for peer in self.peers:
            self._drop(peer)
        self.batches += 1


@pytest.mark.parametrize("server", [DiesAfterCommit, DiesBeforeCommit])
def test_an_answer_in_flight_when_the_writer_dies_goes_to_the_next_and_is_stored_once(
    open_campaign: Campaign, socket_dir: Path, server: type[WriterServer]
) -> None:
    path = socket_dir / "w.sock"
    answer = _answer(open_campaign, "api-in-flight")
    broken = Running(path, server)
    outcome: list[Any] = []

    async def store() -> Any:
        client = SocketWriter(path)
        result = await client.store(answer)
        client.stop()
        return result

    waiting = threading.Thread(target=lambda: outcome.append(_run(store())))
    waiting.start()
    _until(lambda: broken.server.batches)
    broken.stop()  # dead: its socket gone; the request waits for the next writer
    assert not outcome
    stored_before = Response.objects.count()
    assert stored_before == (1 if server is DiesAfterCommit else 0)
    running = Running(path)  # started again, as `hailong serve` does
    try:
        waiting.join(timeout=30)
    finally:
        running.stop()
    result = outcome[0]
    assert result.outcome == ("replay" if server is DiesAfterCommit else "stored")
    assert Response.objects.count() == 1
    assert Response.objects.get().receipt == result.receipt


def _post_through(writer: SocketWriter, campaign: Campaign) -> Any:
    """One answer posted to the submission route, its writer ``writer``."""
    intake = Intake()
    intake.writer = writer
    client = Client(intake)
    try:
        return client.post("/api/v1/answers", body(campaign))
    finally:
        client.close()


def test_without_a_writer_the_route_answers_503_and_stores_nothing(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    reply = _post_through(SocketWriter(socket_dir / "nobody.sock", patience=0.3), open_campaign)
    assert reply.status == 503
    assert "không bị tính hai lần" in reply.json()["errors"][0]["vi"]
    assert Response.objects.count() == 0


def test_a_broken_frame_closes_that_connection_only(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    path = socket_dir / "w.sock"
    running = Running(path)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as rogue:
            rogue.connect(str(path))
            rogue.sendall((5).to_bytes(4, "big") + b"\xc1junk")  # not MessagePack
            rogue.settimeout(5)
            assert rogue.recv(100) == b""  # closed by the writer
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as huge:
                huge.connect(str(path))
                huge.sendall((50_000_000).to_bytes(4, "big"))  # over the frame limit
                huge.settimeout(5)
                assert huge.recv(100) == b""

        answer = _answer(open_campaign, "api-honest")

        async def honest() -> Any:
            client = SocketWriter(path)
            result = await client.store(answer)
            client.stop()
            return result

        assert _run(honest()).outcome == "stored"
    finally:
        running.stop()
    assert list(Response.objects.values_list("idempotency_key", flat=True)) == ["api-honest"]


def test_a_second_writer_does_not_take_the_socket_of_a_running_one(socket_dir: Path) -> None:
    running = Running(socket_dir / "w.sock")
    try:
        with pytest.raises(RuntimeError, match="already listening"):
            WriterServer(socket_dir / "w.sock")
    finally:
        running.stop()
    assert not (socket_dir / "w.sock").exists()  # removed when the writer stops
    WriterServer(socket_dir / "w.sock").close()  # a socket file left behind is taken over


# -- hailong serve: the writer and the workers, supervised ------------------------------


def _writer_pids(sock: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"writer" in argv and str(sock).encode() in argv:
            found.append(int(entry.name))
    return found


def _until(condition: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _post(base: str, payload: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        base + "/api/v1/answers", data=payload, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_serve_starts_the_writer_first_and_again_when_it_dies(
    open_campaign: Campaign, socket_dir: Path, stop: signal.Signals
) -> None:
    sock = socket_dir / "w.sock"
    bodies = [body(open_campaign, {"tong_the": 1 + i % 5}) for i in range(400)]
    serve, base = serve_start(HAILONG_WRITER_SOCKET=str(sock))
    acknowledged: list[str] = []
    try:
        first = _until(lambda: _writer_pids(sock))
        status, reply = _post(base, body(open_campaign))
        assert status == 201, reply
        acknowledged.append(reply["receipt"])
        os.kill(first[0], signal.SIGKILL)
        # the next answer waits for the writer started again, and is stored
        status, again = _post(base, body(open_campaign, {"tong_the": 3}))
        assert status == 201, again
        acknowledged.append(again["receipt"])
        assert _writer_pids(sock) and _writer_pids(sock) != first

        # answers keep coming while the server is told to stop: each is answered (a 201 only
        # when stored) or refused at the door; none hangs, none acknowledged is lost
        def send(share: list[bytes]) -> None:
            for payload in share:
                try:
                    code, answer = _post(base, payload)
                except OSError:
                    return  # the server has stopped listening
                if code == 201:
                    acknowledged.append(answer["receipt"])

        senders = [threading.Thread(target=send, args=(bodies[k::4],)) for k in range(4)]
        for sender in senders:
            sender.start()
        _until(lambda: len(acknowledged) >= 12)
    finally:
        serve.send_signal(stop)
        serve.wait(timeout=90)
    for sender in senders:
        sender.join(timeout=60)
        assert not sender.is_alive()
    assert serve.returncode == 0, (serve.stderr.read() if serve.stderr else b"")[-2000:]
    assert not _writer_pids(sock) and not sock.exists()  # stopped with the server
    stored = set(Response.objects.values_list("receipt", flat=True))
    assert set(acknowledged) <= stored and len(acknowledged) >= 12


def test_serve_will_not_start_beside_a_writer_it_did_not_start(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    sock = socket_dir / "w.sock"
    other = Running(sock)  # another server's writer, perhaps on another database
    try:
        done = subprocess.run(
            [sys.executable, "-m", "django", "serve", "--port", "9", "--no-collectstatic"],
            env=serve_env(HAILONG_WRITER_SOCKET=str(sock)), capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        other.stop()
    assert done.returncode != 0
    assert b"already listening" in done.stderr and b"stopped as it started" in done.stderr
    assert b"Listening at" not in done.stdout + done.stderr  # granian never started


def test_a_writer_that_never_answers_costs_a_503_not_a_hang(
    open_campaign: Campaign, socket_dir: Path
) -> None:
    class Silent(WriterServer):
        def _write(self, batch: list[Any]) -> None:
            self.batches += 1  # reads the answer, never commits nor replies

    running = Running(socket_dir / "w.sock", Silent)
    try:
        reply = _post_through(SocketWriter(socket_dir / "w.sock", reply_wait=0.5), open_campaign)
    finally:
        running.stop()
    assert reply.status == 503 and running.server.batches == 1
    assert Response.objects.count() == 0


def test_a_database_error_is_a_503_and_the_writer_stays_up(
    open_campaign: Campaign, socket_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hailong.collection import writer_process

    real = writer_process.write_settled
    failures = [RuntimeError("database is locked")]

    def failing_once(batch: list[Pending]) -> Any:
        return [failures.pop()] * len(batch) if failures else real(batch)

    monkeypatch.setattr(writer_process, "write_settled", failing_once)
    running = Running(socket_dir / "w.sock")
    first, second = _answer(open_campaign, "api-1"), _answer(open_campaign, "api-2")

    async def send() -> tuple[str, Any]:
        client = SocketWriter(socket_dir / "w.sock")
        try:
            await client.store(first)
            refused = ""
        except writer_process.WriteFailed as exc:
            refused = str(exc)
        result = await client.store(second)  # the same writer, the same connection
        client.stop()
        return refused, result

    try:
        refused, result = _run(send())
    finally:
        running.stop()
    assert "could not write" in refused and result.outcome == "stored"
    assert list(Response.objects.values_list("idempotency_key", flat=True)) == ["api-2"]
