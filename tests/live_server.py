"""A real server for black-box tests: migrated, seeded with the demo, under uvicorn.

Used by the conformance audit and the fuzz test, which talk HTTP to it on
loopback. It always runs on its own SQLite file, in both CI runs: those tests
exercise the HTTP layer and the resolvers' handling of whatever clients send;
the database under test for PostgreSQL is exercised by the rest of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import ROOT, free_port


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    api_key: str  # the demo Project Owner's
    log_path: Path
    # Every demo key by email (owner@, reader@, org-owner@demo.example), and the
    # environment the server runs with (for CLI commands against its database).
    keys: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m graphql_api ARGS`` in a subprocess, as a user would run it."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "graphql_api", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _cli(env: dict[str, str], *args: str) -> str:
    done = run_cli(env, *args)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@contextmanager
def live_server(workdir: Path, *, startup_timeout: float = 30) -> Iterator[LiveServer]:
    """Migrate, seed the demo and serve on a free 127.0.0.1 port; yields the
    server with the demo API keys. Stops the server on exit."""
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite://{workdir / 'db.sqlite3'}",
        "SNAPSHOT_ROOT": str(workdir / "snapshots"),
        "SCHEDULER_ENABLED": "false",
        "LOG_LEVEL": "INFO",
    }
    _cli(env, "migrate")
    seeded = _cli(env, "seed-demo")
    key_lines = [line.split() for line in seeded.splitlines()]
    keys = {words[0]: words[-1] for words in key_lines if words and "@demo." in words[0]}
    api_key = keys["owner@demo.example"]
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "graphql_api",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield LiveServer(base_url=base_url, api_key=api_key, log_path=log_path, keys=keys, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
