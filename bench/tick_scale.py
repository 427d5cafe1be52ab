"""How one scheduler tick scales: wall time, SQL statements and peak memory
for ticks that snapshot N due clusters (simulated fleet, local storage).

    .venv/bin/python -m bench.tick_scale 1000 10000
    BENCH_TICK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python -m bench.tick_scale

Each size runs in a fresh database (SQLite in a temp folder unless
BENCH_TICK_DATABASE_URL is set; that database's public schema is dropped).
``python -m bench`` runs each size in its own process (``--json``), so the
peak RSS is that size's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from bench.seed import CREATED, REGIONS
from bench.sqlcount import count_statements
from graphql_api.db import tortoise_config
from graphql_api.domain.clusters import ClusterTier
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.services import accounts, clusters
from graphql_api.settings import Settings
from graphql_api.storage import build_stores


async def _fresh_database(url: str) -> None:
    if url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    config = tortoise_config(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        await migrate(config=config)


async def measure(n: int, workdir: Path) -> dict[str, float]:
    url = os.environ.get("BENCH_TICK_DATABASE_URL") or f"sqlite://{workdir / 'bench.sqlite3'}"
    await _fresh_database(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        org = await accounts.create_organization("bench")
        project = await accounts.create_project(org, "bench")
        for i in range(n):
            provider, region = REGIONS[i % len(REGIONS)]
            await clusters.create_cluster(
                project, f"c{i:05d}", tier=ClusterTier.FLEX, provider=provider,
                region=region, created_at=CREATED + timedelta(seconds=i),
            )  # fmt: skip
        settings = Settings(snapshot_root=workdir / "snapshots")  # type: ignore[call-arg]
        engine = SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings)
        start = time.perf_counter()
        with count_statements() as statements:
            report = await engine.tick(CREATED + timedelta(days=1, hours=3))
        wall = time.perf_counter() - start
        assert report.completed == n, report
    finally:
        await Tortoise.close_connections()
    return {
        "clusters": n,
        "wall_s": wall,
        "ms_per_cluster": 1000 * wall / n,
        "statements": len(statements),
        "statements_per_cluster": len(statements) / n,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def database_label(url: str | None) -> str:
    return "PostgreSQL" if url and url.startswith("postgres") else "SQLite"


def run_in_subprocess(n: int, timeout: float, database_url: str | None) -> dict[str, Any]:
    """One size in a fresh interpreter: its peak RSS is then this size's alone.
    ``database_url`` None: SQLite in a temp folder."""
    env = dict(os.environ)
    env.pop("BENCH_TICK_DATABASE_URL", None)
    if database_url:
        env["BENCH_TICK_DATABASE_URL"] = database_url
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.tick_scale", "--json", str(n)],
        capture_output=True, text=True, check=True, timeout=timeout, env=env,
    ).stdout  # fmt: skip
    return {**json.loads(out.strip().splitlines()[-1]), "database": database_label(database_url)}


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--json"]:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(asyncio.run(measure(int(args[1]), Path(tmp)))))
        return
    sizes = [int(a) for a in args] or [1000]
    print("| due clusters | tick wall (s) | ms / cluster | SQL statements | per cluster |"
          " peak RSS (MB) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            r = asyncio.run(measure(n, Path(tmp)))
        print(f"| {n} | {r['wall_s']:.2f} | {r['ms_per_cluster']:.2f} | {r['statements']:.0f} |"
              f" {r['statements_per_cluster']:.2f} | {r['peak_rss_mb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
