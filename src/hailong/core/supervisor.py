"""``hailong serve``: the answer writer and granian's workers, started and watched together.

The writer process (:mod:`hailong.collection.writer_process`) starts first, and granian's
workers only once it listens; the workers find it through ``HAILONG_WRITER_SOCKET``. If the
writer dies it is started again at once, and the workers send it the answers that were in
flight (their idempotency keys make that safe); if it keeps dying (more than :data:`RESTARTS`
times in a minute), the server stops with an error rather than refuse answers without end. When
granian stops, or on SIGTERM, SIGHUP or Ctrl+C, granian is stopped first (its requests
finish, their answers still reach the writer), then the writer. Each child runs in a session
of its own, so that it is this process that decides the order; a service manager that stops
every process at once (systemd's default) is met by the writer serving until the workers'
connections close.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

RESTARTS = 5  # in a minute, before giving up
STARTUP = 30.0  # seconds for a new writer to listen
MAX_SOCKET_PATH = 100  # a Unix socket's path is at most 107 bytes on Linux


class WriterFailed(RuntimeError):
    """The writer process would not start, or kept dying."""


@contextlib.contextmanager
def writer_socket(configured: str, var_dir: Path) -> Iterator[str]:
    """Where the writer listens: as configured, else in ``var/`` — or, when ``var/`` is too
    deep for a Unix socket's path, in a private temporary folder removed afterwards."""
    if configured:
        if len(configured.encode()) > MAX_SOCKET_PATH:
            raise WriterFailed(
                f"HAILONG_WRITER_SOCKET is longer than {MAX_SOCKET_PATH} bytes, "
                "too long for a Unix socket: choose a shorter path"
            )
        yield configured
        return
    path = str(var_dir / "writer.sock")
    if len(path.encode()) <= MAX_SOCKET_PATH:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="hailong-") as folder:
        yield str(Path(folder) / "writer.sock")


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
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        status = 0
        try:
            self.writer = self._writer_start()
            if not self.stopping:
                self.server = subprocess.Popen(
                    self.server_argv, env=self.env, start_new_session=True
                )
            while not self.stopping and self.server is not None:
                if self.server.poll() is not None:
                    status = _status(self.server.returncode)
                    break
                if self.writer.poll() is not None:
                    self.writer = self._writer_again(self.writer.returncode)
                time.sleep(0.2)
        except WriterFailed as exc:
            print(f"hailong: {exc}", file=sys.stderr)
            status = 1
        finally:
            _end(self.server, patience=30)
            _end(self.writer, patience=30)
        return status

    def _stop(self, *_: Any) -> None:
        self.stopping = True

    def _writer_start(self) -> subprocess.Popen[bytes]:
        # its own session (as granian's): this process stops them in order
        writer = subprocess.Popen(
            [sys.executable, "-m", "django", "writer", "--socket", self.socket],
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline and not self.stopping:
            if writer.poll() is not None:
                raise WriterFailed(
                    f"the answer writer stopped as it started (exit status {writer.returncode})"
                )
            if _listening(self.socket, writer.pid):
                return writer
            time.sleep(0.05)
        if self.stopping:
            return writer
        _end(writer, patience=5)
        raise WriterFailed(f"the answer writer did not listen on {self.socket} in {STARTUP:.0f} s")

    def _writer_again(self, status: int) -> subprocess.Popen[bytes]:
        """A writer in place of the one that stopped; a start that fails counts as a stop."""
        why = f"exit status {status}"
        while True:
            now = time.monotonic()
            self.restarts.append(now)
            while self.restarts and now - self.restarts[0] > 60:
                self.restarts.popleft()
            if len(self.restarts) > RESTARTS:
                raise WriterFailed(
                    f"the answer writer stopped {len(self.restarts)} times in a minute "
                    f"(last: {why}); stopping the server"
                )
            print(f"hailong: the answer writer stopped ({why}); starting it again", file=sys.stderr)
            try:
                return self._writer_start()
            except WriterFailed as exc:
                why = str(exc)
                time.sleep(1)


def _listening(path: str, pid: int) -> bool:
    """Whether process ``pid`` listens on ``path`` (not another writer left running there)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        credentials = probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        return int.from_bytes(credentials[:4], sys.byteorder) == pid
    except OSError:
        return False
    finally:
        probe.close()


def _end(process: subprocess.Popen[bytes] | None, patience: float) -> None:
    """Stop a child and whatever it started (granian's workers): SIGTERM, then SIGKILL."""
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its session: workers left behind, if any


def _status(code: int) -> int:
    """An exit status for the shell: 128 + the signal when a child was killed by one."""
    return 128 - code if code < 0 else code


def serve(server_argv: Sequence[str], socket: str) -> int:
    """Supervise ``server_argv`` and a writer on ``socket``, with this process's environment."""
    return Supervisor(server_argv, dict(os.environ), socket).run()
