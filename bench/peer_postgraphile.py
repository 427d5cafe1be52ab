"""PostGraphile 4.14 as a peer row: installed from the committed lock file
(``npm ci``) when Node.js is here, served by bench/postgraphile/server.js in
one Node process, and asked (a) and (b) in its own schema's words.

Optional by design: without node and npm, or when ``npm ci`` fails, the row
is skipped and the report says why; ``make run`` and ``make test`` never
need Node.js.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.config import ROOT
from bench.server import Server, free_port, run_server

PACKAGE_DIR = ROOT / "bench" / "postgraphile"
_STAMP = PACKAGE_DIR / "node_modules" / ".bench-lock-sha256"

# (a): the cluster by its unique (project, live name), its snapshots newest first.
# cloudProvider, region and backupEnabled are what a client needs to derive the
# storage location and policy our server computes; they are read, not compared.
BACKUP_TAB = """
query BackupTab($projectId: String!, $name: String!, $first: Int!) {
  cluster: clusterByProjectIdAndLiveName(projectId: $projectId, liveName: $name) {
    id name tier state mongodbVersion createdAt cloudProvider region backupEnabled
    snapshots: snapshotsByClusterId(first: $first, orderBy: [SCHEDULED_TIME_DESC, ID_DESC]) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes {
        id status scheduledTime startTime finishTime expiration mongodbVersion
        sourceNode storageLocation sizeBytes sha256
      }
    }
  }
}
"""

# (b): the project's snapshots newest first (snapshots.project_id has no foreign
# key, so a condition on the root connection), each with its cluster's name.
DAILY_SNAPSHOTS = """
query DailySnapshots($projectId: String!, $first: Int!) {
  snapshots: allSnapshots(
    condition: { projectId: $projectId }, first: $first, orderBy: [SCHEDULED_TIME_DESC, ID_DESC]
  ) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id status scheduledTime finishTime expiration mongodbVersion sizeBytes storageLocation
      cluster: clusterByClusterId { name }
    }
  }
}
"""

QUERIES = {"backup_tab": BACKUP_TAB, "daily": DAILY_SNAPSHOTS}


@dataclass(frozen=True)
class Availability:
    version: str | None  # "PostGraphile 4.14.1 on Node.js v20...", or None
    reason: str | None  # why the row is skipped, or None


def _lock_digest() -> str:
    return hashlib.sha256((PACKAGE_DIR / "package-lock.json").read_bytes()).hexdigest()


def prepare() -> Availability:
    """node_modules as the lock file says (``npm ci`` only when it changed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return Availability(None, "Node.js (node and npm) is not installed")
    digest = _lock_digest()
    if not _STAMP.exists() or _STAMP.read_text(encoding="ascii").strip() != digest:
        print("  npm ci in bench/postgraphile ...", flush=True)
        done = subprocess.run(  # noqa: S603
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PACKAGE_DIR, capture_output=True,
            text=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return Availability(None, f"`npm ci` failed: {' / '.join(tail)}")
        _STAMP.write_text(digest + "\n", encoding="ascii")
    node_version = subprocess.run(  # noqa: S603
        [node, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    package = PACKAGE_DIR / "node_modules" / "postgraphile" / "package.json"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    return Availability(f"PostGraphile {version} on Node.js {node_version}", None)


def graphql_body(scenario: str, variables: dict[str, Any]) -> dict[str, Any] | None:
    """PostGraphile's request for one of our scenarios; None where it has no
    counterpart (storageLocations is our code's table, not the database's)."""
    query = QUERIES.get(scenario)
    if query is None:
        return None
    wanted = ("projectId", "name", "first") if scenario == "backup_tab" else ("projectId", "first")
    return {"query": query, "variables": {k: variables[k] for k in wanted}}


def _answers(base: str) -> bool:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/graphql", data=b'{"query":"{ __typename }"}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return bool(json.loads(response.read()).get("data"))
    except (OSError, ValueError):
        return False


@contextmanager
def serve_postgraphile(database_url: str, pool_size: int = 5) -> Iterator[Server]:
    """One Node process on a free loopback port, ready once it answers a query
    (its schema is introspected at start)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port),
           "PG_POOL_MAX": str(pool_size), "NODE_ENV": "production"}  # fmt: skip
    node = shutil.which("node") or "node"
    with run_server([node, "server.js"], env, f"http://127.0.0.1:{port}", _answers,
                    name="postgraphile", cwd=PACKAGE_DIR) as server:  # fmt: skip
        yield server
