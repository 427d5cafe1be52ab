"""The cluster commands: the same use cases as the mutations, as an operator runs them."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

OWNER, READER = "owner@demo.example", "reader@demo.example"
PASSWORD = "cli-s3cr3t-4e1f-9a7b"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """A migrated, seeded database of its own, and the demo project's id."""
    folder = tmp_path_factory.mktemp("cli")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{folder / 'db.sqlite3'}",
        "SNAPSHOT_ROOT": str(folder / "snapshots"),
    }
    env.pop("CLUSTER_PASSWORD", None)
    assert cli(env, "migrate").returncode == 0
    seeded = cli(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    project_id = re.search(r"\(([0-9a-f]{24})\)", seeded.stdout)
    assert project_id is not None
    return env, project_id.group(1)


def cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "graphql_api", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, input=stdin,
    )  # fmt: skip


def test_cluster_commands_run_the_use_cases(demo: tuple[dict[str, str], str]) -> None:
    env, project = demo
    common = ("--as-email", OWNER, "--project-id", project)
    created = cli(env, "create-flex-cluster", *common, "--name", "from-cli", "--provider",
                  "GCP", "--region", "europe-west3", "--tag", "team=ops", "--json")  # fmt: skip
    assert created.returncode == 0, created.stderr
    view = json.loads(created.stdout)
    assert view["tier"] == "FLEX" and view["stateName"] == "CREATING"
    assert view["tags"] == [{"key": "team", "value": "ops"}]

    # Refusals answer with their code, on one line.
    again = cli(env, "create-flex-cluster", *common, "--name", "from-cli", "--provider", "AWS",
                "--region", "us-east-1")  # fmt: skip
    assert again.returncode != 0 and "DUPLICATE_CLUSTER_NAME" in again.stderr
    region = cli(env, "create-flex-cluster", *common, "--name", "x", "--provider", "AWS",
                 "--region", "mars-1")  # fmt: skip
    assert "UNKNOWN_REGION" in region.stderr and "us-east-1" in region.stderr
    reader = cli(env, "delete-flex-cluster", "--as-email", READER, "--project-id", project,
                 "--name", "from-cli")  # fmt: skip
    assert "FORBIDDEN" in reader.stderr

    protect = cli(env, "update-flex-cluster", *common, "--name", "from-cli",
                  "--termination-protection")  # fmt: skip
    assert protect.returncode == 0, protect.stderr
    refused = cli(env, "delete-flex-cluster", *common, "--name", "from-cli")
    assert "TERMINATION_PROTECTION_ENABLED" in refused.stderr

    seed = "mongodb://db1:27017,db2:27017/?replicaSet=rs0"
    connected = cli(
        env,
        "set-cluster-connection",
        *common,
        "--name",
        "from-cli",
        "--connection-string",
        seed,
        "--username",
        "agent",
        "--json",
        stdin=PASSWORD + "\n",
    )  # fmt: skip  (the password is asked, hidden)
    assert connected.returncode == 0, connected.stderr
    assert json.loads(connected.stdout.splitlines()[-1])["credentialsSet"] is True
    rotated = cli({**env, "CLUSTER_PASSWORD": "other-" + PASSWORD}, "rotate-cluster-credentials",
                  *common, "--name", "from-cli", "--username", "agent2")  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr

    upgraded = cli(env, "upgrade-flex-cluster", *common, "--name", "flex-london", "--json")
    assert json.loads(upgraded.stdout)["tier"] == "M10"
    dedicated = ("--tier", "M40", "--provider", "AWS", "--region", "us-east-2", "--no-backup")
    registered = cli(env, "register-dedicated-cluster", *common, "--name", "m40-new", *dedicated)
    assert registered.returncode == 0, registered.stderr
    deleted = cli(env, "delete-flex-cluster", *common, "--name", "flex-virginia")
    assert deleted.returncode == 0, deleted.stderr

    listed = cli(env, "list-clusters", "--as-email", READER, "--project-id", project, "--json")
    clusters = {c["name"]: c for c in json.loads(listed.stdout)}
    assert "flex-virginia" not in clusters
    assert clusters["flex-london"]["tier"] == "M10"
    assert clusters["m40-new"]["backupEnabled"] is False
    assert clusters["from-cli"]["hosts"] == ["db1:27017", "db2:27017"]
    every = cli(env, "list-clusters", "--as-email", READER, "--project-id", project,
                "--include-deleted", "--json")  # fmt: skip
    gone = {c["name"]: c for c in json.loads(every.stdout)}["flex-virginia"]
    assert gone["deletedAt"] and gone["stateName"] == "DELETING"
    table = cli(env, "list-clusters", "--as-email", READER, "--project-id", project)
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "TIER", "STATE"]
    assert any(line.split()[:2] == ["from-cli", "FLEX"] for line in lines)

    # Never a credential in what the commands print, nor in clear in the database.
    for done in (connected, rotated, listed, every, table):
        assert PASSWORD not in done.stdout + done.stderr
    database = env["DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT credentials FROM clusters WHERE credentials IS NOT NULL")
        stored = [r[0] for r in rows]
    assert len(stored) == 1 and PASSWORD not in stored[0] and "agent2" not in stored[0]


def test_unknown_users_and_projects_are_refused(demo: tuple[dict[str, str], str]) -> None:
    env, project = demo
    nobody = cli(env, "list-clusters", "--as-email", "nobody@example.com", "--project-id", project)
    assert nobody.returncode != 0 and "NOT_FOUND" in nobody.stderr
    other = cli(env, "list-clusters", "--as-email", OWNER, "--project-id", "0" * 24)
    assert other.returncode != 0 and "NOT_FOUND" in other.stderr
    assert Path(env["DATABASE_URL"].removeprefix("sqlite://")).exists()
