"""Starting a server under test the production way (uvicorn, no reload, no
access log, log level warning; or any other server process) and reading its
memory from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.config import PYTHON, ROOT, SIGNING_KEY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                found += [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def _status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (uvicorn workers), MB."""
    return sum(_status_kb(p, "VmRSS") for p in _tree(pid)) / 1024


def hwm_mb(pid: int) -> float:
    """Peak resident memory (VmHWM), summed over the process tree, MB."""
    return sum(_status_kb(p, "VmHWM") for p in _tree(pid)) / 1024


@dataclass
class RssSampler:
    """Samples the tree's RSS in a thread; ``peak`` is the highest seen."""

    pid: int
    interval: float = 0.1
    peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


@dataclass(frozen=True)
class Server:
    pid: int
    base_url: str


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ENVIRONMENT="production",
        DATABASE_URL=database_url,
        SIGNING_KEY=SIGNING_KEY,
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_PER_MINUTE="0",  # throughput is measured, not the per-key budget
        **extra,
    )
    return env


def _healthz(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


@contextmanager
def serve(app: str, env: dict[str, str], *, workers: int = 1) -> Iterator[Server]:
    """uvicorn with ``app`` (an app factory), stopped (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    cmd = [
        PYTHON, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip
    with run_server(cmd, env, f"http://127.0.0.1:{port}", _healthz, name=app,
                    workers=workers) as server:  # fmt: skip
        yield server


@contextmanager
def run_server(
    cmd: list[str],
    env: dict[str, str],
    base: str,
    ready: Callable[[str], bool],
    *,
    name: str,
    workers: int = 1,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """Any server process under test: started, waited for until ``ready(base)``,
    stopped (SIGTERM, then SIGKILL) on exit."""
    # The server's own log goes to a file, shown only when it fails to start: wrk
    # ends each run by dropping its connections, which uvicorn logs as errors.
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield _wait_ready(proc, name, base, ready, workers, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(
    proc: subprocess.Popen[bytes],
    name: str,
    base: str,
    ready: Callable[[str], bool],
    workers: int,
    log: IO[str],
) -> Server:
    deadline = time.monotonic() + 60
    while not ready(base):
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start in 60 s")
        time.sleep(0.2)
    if workers > 1:  # every worker up, not just the first one
        deadline = time.monotonic() + 30
        while len(_tree(proc.pid)) < workers + 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    return Server(pid=proc.pid, base_url=base)
