"""``hailong serve``: the answer writer and granian's workers, started and watched together.

The writer process (:mod:`hailong.collection.writer_process`) starts first, and granian's
workers only once it listens; the workers find it through ``HAILONG_WRITER_SOCKET``. If the
writer dies it is started again at once, and the workers send it the answers that were in
flight (their idempotency keys make that safe); if it keeps dying (more than :data:`RESTARTS` times in a minute: the database is gone, the
disk is full), the server stops with an error rather than refuse answers without end. When
granian stops, or on SIGTERM / Ctrl+C, granian is stopped first (its requests finish, their
answers still reach the writer), then the writer.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RESTARTS = 5  # in a minute, before giving up
STARTUP = 30.0  # seconds for a new writer to listen
MAX_SOCKET_PATH = 100  # a Unix socket's path is at most 107 bytes on Linux


class WriterFailed(RuntimeError):
    """The writer process would not start, or kept dying."""


def socket_path(configured: str, var_dir: Path) -> str:
    """Where the writer listens: as configured, else in ``var/``; a private temporary folder
    when that path is too long for a Unix socket."""
    path = configured or str(var_dir / "writer.sock")
    if len(path.encode()) <= MAX_SOCKET_PATH:
        return path
    return str(Path(tempfile.mkdtemp(prefix="hailong-")) / "writer.sock")


class Supervisor:
    """Runs the writer and the server; :meth:`run` returns the exit status."""

    def __init__(self, server_argv: Sequence[str], env: dict[str, str], socket: str) -> None:
        self.server_argv = list(server_argv)
        self.socket = socket
        self.env = {**env, "HAILONG_WRITER_SOCKET": socket}
        self.writer: subprocess.Popen[bytes] | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.restarts: deque[float] = deque()

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        status = 0
        try:
            self.writer = self._writer_start()
            self.server = subprocess.Popen(self.server_argv, env=self.env)
            while not self.stopping:
                if self.server.poll() is not None:
                    status = self.server.returncode
                    break
                if self.writer.poll() is not None:
                    self.writer = self._writer_again(self.writer.returncode)
                time.sleep(0.2)
        except WriterFailed as exc:
            print(f"hailong: {exc}", file=sys.stderr)
            status = 1
        finally:
            _end(self.server, patience=30)
            _end(self.writer, patience=15)
        return status

    def _stop(self, *_: Any) -> None:
        self.stopping = True

    def _writer_start(self) -> subprocess.Popen[bytes]:
        # its own session: a Ctrl+C in the terminal reaches granian, and the writer is
        # stopped after it, once no request can still be waiting for it
        writer = subprocess.Popen(
            [sys.executable, "-m", "django", "writer", "--socket", self.socket],
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if writer.poll() is not None:
                raise WriterFailed(
                    f"the answer writer stopped as it started (exit status {writer.returncode})"
                )
            if _listening(self.socket):
                return writer
            time.sleep(0.05)
        _end(writer, patience=5)
        raise WriterFailed(f"the answer writer did not listen on {self.socket} in {STARTUP:.0f} s")

    def _writer_again(self, status: int) -> subprocess.Popen[bytes]:
        now = time.monotonic()
        self.restarts.append(now)
        while self.restarts and now - self.restarts[0] > 60:
            self.restarts.popleft()
        if len(self.restarts) > RESTARTS:
            raise WriterFailed(
                f"the answer writer stopped {len(self.restarts)} times in a minute "
                f"(last exit status {status}); stopping the server"
            )
        print(
            f"hailong: the answer writer stopped (exit status {status}); starting it again",
            file=sys.stderr,
        )
        return self._writer_start()


def _listening(path: str) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _end(process: subprocess.Popen[bytes] | None, patience: float) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve(server_argv: Sequence[str], socket: str) -> int:
    """Supervise ``server_argv`` and a writer on ``socket``, with this process's environment."""
    return Supervisor(server_argv, dict(os.environ), socket).run()
