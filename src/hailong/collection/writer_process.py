"""One writer process for the whole server, reached by every worker through a Unix socket.

``hailong serve`` starts it before granian's workers (:mod:`hailong.core.supervisor`). It
holds the only connection that writes answers, so that two workers never take turns on
SQLite's write lock, and one COMMIT (one fsync) serves the answers of every worker; its SQL
runs under its own GIL, not under the one the workers' checks need (docs/performance.md).

The conversation, over one connection per worker:

- a worker sends one frame per answer: ``[number, Pending]`` (MessagePack, 4-byte length
  before it), the answer's row computed in the worker;
- the writer takes every frame waiting (up to :data:`~.writer.MAX_BATCH`), writes them in one
  transaction (:func:`~.writer.write_batch`) and only *after the COMMIT* sends back one frame
  per worker: ``[[number, outcome, receipt], ...]``;
- a worker answers 201 only on that reply. If the connection breaks (the writer died, and
  ``hailong serve`` starts another), the worker sends the answers in flight again to the new
  writer: their idempotency keys make that safe (stored once, or a replay with the first
  receipt when the COMMIT had happened before the break). A request answers 503 — never a
  201 — when no writer answers within :attr:`SocketWriter.patience`, when the writer reports
  that the database refused the answer, or when no reply comes in
  :attr:`SocketWriter.reply_wait`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import selectors
import signal
import socket
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from django.db import connection

from .writer import MAX_BATCH, Pending, Stored, write_settled

log = logging.getLogger(__name__)

MAX_FRAME = 1024 * 1024  # an answer is at most 64 KB of JSON (the route's limit)
_HEAD = 4
_encode = msgspec.msgpack.Encoder().encode
_requests = msgspec.msgpack.Decoder(tuple[int, Pending])
_replies = msgspec.msgpack.Decoder(list[tuple[int, str, str]])
ERROR = "error"  # the outcome sent when the answer could not be written


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(_HEAD, "big") + payload


def _frames(buffer: bytearray, limit: int) -> list[bytes]:
    """Complete frames at the start of ``buffer`` (at most ``limit``), cut from it."""
    found: list[bytes] = []
    at = 0
    end = len(buffer)
    while len(found) < limit and end - at >= _HEAD:
        size = int.from_bytes(buffer[at : at + _HEAD], "big")
        if size > MAX_FRAME:
            raise ValueError(f"a frame of {size} bytes is over the limit")
        if end - at - _HEAD < size:
            break
        found.append(bytes(buffer[at + _HEAD : at + _HEAD + size]))
        at += _HEAD + size
    del buffer[:at]
    return found


# -- the writer process ------------------------------------------------------------------


@dataclass(eq=False)
class _Peer:
    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    closed: bool = False


class WriterServer:
    """The writer's loop: read every frame waiting, write them in one transaction, reply."""

    def __init__(self, path: str | Path, max_batch: int = MAX_BATCH) -> None:
        self.path = str(path)
        self.max_batch = max_batch
        self.selector = selectors.DefaultSelector()
        self.peers: list[_Peer] = []
        self.stopping = False
        self.batches = 0
        self._more = False
        self.listener = _listen(self.path)
        self.selector.register(self.listener, selectors.EVENT_READ, None)

    def serve_forever(self, drain: float = 20.0) -> None:
        """Serve until SIGTERM or SIGINT, then for as long as workers stay connected (at most
        ``drain`` seconds): a service manager may stop every process at once, and the workers'
        last requests still need their COMMIT."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        try:
            while not self.stopping:
                self.step(timeout=0.5)
            self.selector.unregister(self.listener)  # no new worker from now on
            deadline = time.monotonic() + drain
            while self.peers and time.monotonic() < deadline:
                self.step(timeout=0.1)
        finally:
            self.close()

    def _stop(self, *_: Any) -> None:
        self.stopping = True

    def step(self, timeout: float) -> int:
        """One turn: read what arrived, write it, reply. The number of answers written."""
        for key, mask in self.selector.select(0 if self._more else timeout):
            peer: _Peer | None = key.data
            if peer is None:
                self._accept()
                continue
            if mask & selectors.EVENT_READ:
                self._receive(peer)
            if mask & selectors.EVENT_WRITE and not peer.closed:
                self._send(peer)
        batch: list[tuple[_Peer, int, Pending]] = []
        for peer in self.peers:
            try:
                frames = _frames(peer.inbox, self.max_batch - len(batch))
                batch.extend((peer, *_requests.decode(frame)) for frame in frames)
            except (ValueError, msgspec.DecodeError) as exc:
                log.error("a worker sent a broken frame (%s); its connection is closed", exc)
                self._drop(peer)
        self.peers = [p for p in self.peers if not p.closed]
        self._more = len(batch) == self.max_batch  # frames left for the next turn
        if batch:
            self._write(batch)
        return len(batch)

    def _accept(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        peer = _Peer(sock)
        self.peers.append(peer)
        self.selector.register(sock, selectors.EVENT_READ, peer)

    def _receive(self, peer: _Peer) -> None:
        while True:
            try:
                chunk = peer.sock.recv(262_144)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:  # the worker is gone; what it sent before is still written
                self._drop(peer)
                return
            peer.inbox += chunk

    def _write(self, batch: list[tuple[_Peer, int, Pending]]) -> None:
        results = write_settled([pending for _, _, pending in batch])
        self.batches += 1
        replies: dict[_Peer, list[tuple[int, str, str]]] = {}
        for (peer, number, _), result in zip(batch, results, strict=True):
            reply = (
                (number, result.outcome, result.receipt)
                if isinstance(result, Stored)
                else (number, ERROR, "")
            )
            replies.setdefault(peer, []).append(reply)
        for peer, settled in replies.items():
            if not peer.closed:
                peer.outbox += _frame(_encode(settled))
                self._send(peer)

    def _send(self, peer: _Peer) -> None:
        try:
            sent = peer.sock.send(peer.outbox)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._drop(peer)
            return
        del peer.outbox[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if peer.outbox else 0)
        self.selector.modify(peer.sock, events, peer)

    def _drop(self, peer: _Peer) -> None:
        if not peer.closed:
            peer.closed = True
            self.selector.unregister(peer.sock)
            peer.sock.close()

    def close(self) -> None:
        for peer in self.peers:
            self._drop(peer)
        self.peers = []
        self.selector.close()
        self.listener.close()
        Path(self.path).unlink(missing_ok=True)
        connection.close()


def _listen(path: str) -> socket.socket:
    """Listen on ``path``, refusing to take it from a writer that is still running there."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except (FileNotFoundError, ConnectionRefusedError):
        pass  # nobody there: a socket file left by a writer that died is replaced
    else:
        raise RuntimeError(f"another writer is already listening on {path}")
    finally:
        probe.close()
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            raise RuntimeError(f"{path} exists and is not a socket: it is left alone")
        os.unlink(path)  # left by a writer that died
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # only this account may send answers to be written
    try:
        listener.bind(path)
    finally:
        os.umask(old)
    listener.listen(128)
    listener.setblocking(False)
    return listener


# -- a worker's side ---------------------------------------------------------------------


class WriterGone(Exception):
    """The writer process could not be reached, or the connection broke with answers in it."""


class WriteFailed(Exception):
    """The writer could not write the answer (the database refused it, or is down)."""


class _Replies(asyncio.Protocol):
    def __init__(self, client: SocketWriter) -> None:
        self.client = client
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            frames = _frames(self.buffer, 1_000_000)
            for frame in frames:
                self.client._settle(_replies.decode(frame))
        except (ValueError, msgspec.DecodeError) as exc:
            log.error("the writer sent a broken frame: %s", exc)
            self.client._lost(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client._lost(self)


class SocketWriter:
    """The worker's end: :meth:`store` as :class:`~.writer.Writer` has it, answered by the
    writer process. Frames of one turn of the event loop leave in one write."""

    def __init__(self, path: str | Path, patience: float = 10.0, reply_wait: float = 30.0) -> None:
        self.path = str(path)
        self.patience = patience  # how long a request waits for a writer being restarted
        # how long it waits for the COMMIT of a writer that lives but does not answer (a lock
        # held in the database): then 503, and the key settles the client's retry
        self.reply_wait = reply_wait
        self._transport: asyncio.Transport | None = None
        self._protocol: _Replies | None = None
        self._connecting: asyncio.Lock | None = None
        self._waiting: dict[int, asyncio.Future[Stored]] = {}
        self._number = 0
        self._out: list[bytes] = []
        self._flush_planned = False
        self.batches = 0

    async def store(self, pending: Pending) -> Stored:
        """The answer's outcome once the writer has committed it.

        When the connection breaks (the writer died, or is being restarted), the answer is
        sent again to the next writer until :attr:`patience` runs out: its idempotency key
        makes that safe — stored once, and a replay with the first receipt when the COMMIT
        had happened before the break. Only then does the route answer 503.
        """
        deadline = time.monotonic() + self.patience
        while True:
            try:
                return await self._once(pending, deadline)
            except WriterGone:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def _once(self, pending: Pending, deadline: float) -> Stored:
        if self._transport is None:
            await self._connect(deadline)
        loop = asyncio.get_running_loop()
        self._number += 1
        number = self._number
        future: asyncio.Future[Stored] = loop.create_future()
        self._waiting[number] = future
        self._out.append(_frame(_encode((number, pending))))
        if not self._flush_planned:
            self._flush_planned = True
            loop.call_soon(self._flush)
        try:
            return await asyncio.wait_for(future, self.reply_wait)
        except TimeoutError:
            self._waiting.pop(number, None)
            raise WriteFailed(f"the writer did not answer in {self.reply_wait:g} s") from None

    def _flush(self) -> None:
        self._flush_planned = False
        out, self._out = self._out, []
        if self._transport is None:  # lost meanwhile: those requests were failed already
            return
        self._transport.write(b"".join(out))

    async def _connect(self, deadline: float) -> None:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._transport is not None:
                return
            loop = asyncio.get_running_loop()
            while True:
                try:
                    transport, protocol = await loop.create_unix_connection(
                        lambda: _Replies(self), self.path
                    )
                    break
                except OSError as exc:
                    if time.monotonic() > deadline:
                        raise WriterGone(f"no writer on {self.path}: {exc}") from exc
                    await asyncio.sleep(0.05)
            self._transport, self._protocol = transport, protocol

    def _settle(self, replies: list[tuple[int, str, str]]) -> None:
        self.batches += 1
        for number, outcome, receipt in replies:
            future = self._waiting.pop(number, None)
            if future is None or future.done():
                continue
            if outcome == ERROR:  # the writer lives, the database failed: not sent again
                future.set_exception(WriteFailed("the writer could not write this answer"))
            else:
                future.set_result(Stored(outcome, receipt))  # type: ignore[arg-type]

    def _lost(self, protocol: _Replies) -> None:
        if protocol is not self._protocol:
            return
        if self._transport is not None:
            self._transport.abort()
        self._transport = self._protocol = None
        waiting, self._waiting = self._waiting, {}
        self._out = []
        for future in waiting.values():
            if not future.done():
                future.set_exception(WriterGone("the connection to the writer broke"))

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
