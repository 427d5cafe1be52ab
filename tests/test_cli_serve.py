"""The `make run` path for real: migrate, seed, serve under uvicorn, query.

Runs the CLI in subprocesses against its own SQLite file, so it also proves
the ORM starts in the app's lifespan under uvicorn.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.live_server import live_server, run_cli


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}",
        "SNAPSHOT_ROOT": str(tmp_path / "snapshots"),
        "SCHEDULER_ENABLED": "false",
    }


_cli = run_cli


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[dict[str, str], str]:
    env = _env(tmp_path)
    assert _cli(env, "migrate").returncode == 0
    seeded = _cli(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    owner_line = next(line for line in seeded.stdout.splitlines() if "owner@demo" in line)
    return env, owner_line.split()[-1]


def test_serve_answers_with_demo_data(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        response = httpx.post(
            server.graphql_url,
            json={"query": "{ viewer { projects { nodes { clusters { totalCount } } } } }"},
            headers={"Authorization": f"Bearer {server.api_key}"},
        )
        assert response.status_code == 200, response.text
        [project] = response.json()["data"]["viewer"]["projects"]["nodes"]
        assert project["clusters"]["totalCount"] >= 10
    assert "Traceback" not in server.log(), server.log()


def test_cli_creates_users_and_keys(seeded: tuple[dict[str, str], str]) -> None:
    env, _ = seeded
    created = _cli(env, "create-user", "--email", "Ada@Example.com", "--name", "Ada")
    assert created.returncode == 0, created.stderr
    again = _cli(env, "create-user", "--email", "ada@example.com", "--name", "Ada")
    assert again.returncode != 0
    assert "CONFLICT" in again.stderr
    key = _cli(env, "create-api-key", "--email", "ada@example.com")
    assert key.returncode == 0 and key.stdout.startswith("fbk_")
    assert "not shown again" in key.stderr
    missing = _cli(env, "create-api-key", "--email", "nobody@example.com")
    assert missing.returncode != 0 and "NOT_FOUND" in missing.stderr


def test_seed_demo_is_repeatable_and_revokes_old_keys(
    seeded: tuple[dict[str, str], str],
) -> None:
    env, _ = seeded
    second = _cli(env, "seed-demo")
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    """SQLite is one process's database: several workers would each lock the
    file and their row locks would not see each other (a restore could slip
    into a cluster being deleted). Refused before anything starts."""
    env = _env(tmp_path)
    refused = _cli(env, "serve", "--workers", "2", "--port", "1")
    assert refused.returncode == 2, refused.stderr
    assert "SQLite" in refused.stderr and "PostgreSQL" in refused.stderr
