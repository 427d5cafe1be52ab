"""How one scheduler tick scales: wall time, SQL statements and peak memory
for a tick that snapshots N due clusters (simulated fleet, local storage).

    .venv/bin/python -m bench.tick_scale 1000 10000           # SQLite in a temp folder
    .venv/bin/python -m bench.tick_scale --100k               # 1k, 10k and 100k (minutes)
    BENCH_TICK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tick \
        .venv/bin/python -m bench.tick_scale --schedulers 4 100000
    .venv/bin/python -m bench.tick_scale --section --100k     # the "Tick at scale" section
    .venv/bin/python -m bench.tick_scale --json ... > runs.jsonl; ... --render runs.jsonl

Each size runs in a fresh database (SQLite in a temp folder unless
BENCH_TICK_DATABASE_URL is set; that PostgreSQL database is created when
missing and its public schema dropped; --section defaults to `bench_tick`).
The seeding (bulk INSERTs of the clusters, all due: creation times spread over
one day) runs in this process; the tick runs in a fresh process, started once
the seeding is over, whose peak RSS (VmHWM, reset just before the tick) is the
tick's own. ``--schedulers K`` runs K such processes at once over the same due
clusters, released together; their statements add up and the wall time runs
from the first start to the last end; then every slot must have been taken
exactly once. ``--claims-only`` queues and claims without taking snapshots,
for the claim rate. Where the PostgreSQL server runs with autovacuum off, the
bench does its VACUUM ANALYZE every 30 s meanwhile, as production would.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from bench import tick_report
from bench.config import ROOT
from bench.seed import CREATED, REGIONS, fresh_database
from bench.sqlcount import count_statements
from graphql_api.db import tortoise_config
from graphql_api.domain import schedule
from graphql_api.domain.clusters import ClusterTier
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Snapshot, SnapshotStatus
from graphql_api.scheduler import SnapshotScheduler, TickReport
from graphql_api.services import accounts, cluster_lifecycle, daily_snapshots
from graphql_api.settings import Settings
from graphql_api.storage import build_stores

SIZES = (1000, 10000)
LARGE = 100_000  # behind --100k: minutes on 2 cores
SEED_CHUNK = 5000
# Every cluster is created within the day before CREATED + 1 day, so at TICK
# each has exactly its first slot due, its day still open.
SPREAD = schedule.SNAPSHOT_INTERVAL - timedelta(seconds=10)
TICK = CREATED + 2 * schedule.SNAPSHOT_INTERVAL - timedelta(seconds=1)
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_tick"
COMMAND = "python -m bench.tick_scale --section --100k"
AUTOVACUUM_EVERY = 30.0


def _url(workdir: Path) -> str:
    return os.environ.get("BENCH_TICK_DATABASE_URL") or f"sqlite://{workdir / 'bench.sqlite3'}"


def _admin_url(url: str) -> str | None:
    return url.rsplit("/", 1)[0] + "/postgres" if url.startswith("postgres") else None


async def seed(url: str, n: int) -> None:
    """N Flex clusters, each due once at TICK, in bulk INSERTs of SEED_CHUNK rows."""
    await fresh_database(url, _admin_url(url))
    await Tortoise.init(config=tortoise_config(url))
    try:
        org = await accounts.create_organization("bench")
        project = await accounts.create_project(org, "bench")
        step = SPREAD / n
        for start in range(0, n, SEED_CHUNK):
            rows = []
            for i in range(start, min(n, start + SEED_CHUNK)):
                provider, region = REGIONS[i % len(REGIONS)]
                created = CREATED + i * step
                rows.append(
                    Cluster(
                        project=project,
                        name=f"c{i:06d}",
                        tier=ClusterTier.FLEX,
                        cloud_provider=provider,
                        region=region,
                        mongodb_version="8.0",
                        created_at=created,
                        next_snapshot_at=schedule.first_slot(created),
                    )
                )
            await Cluster.bulk_create(rows, batch_size=1000)
    finally:
        await Tortoise.close_connections()


@contextmanager
def _phases() -> Iterator[dict[str, float]]:
    """Seconds spent in each step of the tick (wrapped where the tick calls them),
    wall time under the step's name and the process's CPU time under "<step> cpu"
    (the steps run one after another; CPU includes the storage threads')."""
    spent: dict[str, float] = defaultdict(float)
    patched = [
        (daily_snapshots, "schedule_due_snapshots", "queue"),
        (daily_snapshots, "give_up", "give up"),
        (daily_snapshots, "claim_snapshots", "claim"),
        (daily_snapshots, "apply_retention", "retention"),
        (SnapshotScheduler, "_run", "take"),
        (cluster_lifecycle, "settle_creating", "settle"),
    ]

    def timed(original: Callable[..., Awaitable[Any]], name: str) -> Callable[..., Any]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return await original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
                spent[f"{name} cpu"] += time.process_time() - cpu

        return wrapper

    originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patched]
    for owner, attr, name in patched:
        setattr(owner, attr, timed(getattr(owner, attr), name))
    try:
        yield spent
    finally:
        for owner, attr, original in originals:
            setattr(owner, attr, original)


async def _one_tick(url: str, workdir: Path, worker: str, claims_only: bool) -> dict[str, Any]:
    """One scheduler's tick, in this (fresh) process, after "go" on stdin.
    ``claims_only``: queue and claim everything, take nothing (the claim rate)."""
    await Tortoise.init(config=tortoise_config(url))
    try:
        settings = Settings(snapshot_root=workdir / "snapshots")  # type: ignore[call-arg]
        engine = SnapshotScheduler(
            SimulatedFleet(), build_stores(settings), settings, worker_id=worker
        )
        await Cluster.all().limit(1)  # connect before the clock starts
        print("ready", flush=True)
        sys.stdin.readline()
        rss_before = _reset_peak_rss()
        cpu = time.process_time()
        began, start = time.time(), time.perf_counter()
        with count_statements() as statements, _phases() as phases:
            if claims_only:
                report = TickReport()
                report.queued, _ = await daily_snapshots.schedule_due_snapshots(TICK)
                while claimed := await daily_snapshots.claim_snapshots(TICK, worker, engine.policy):
                    report.claimed += len(claimed)
                report.completed = report.claimed
            else:
                report = await engine.tick(TICK)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu
    finally:
        await Tortoise.close_connections()
    return {
        "worker": worker,
        "cpu_s": cpu,
        "began": began,
        "ended": began + wall,
        "wall_s": wall,
        "statements": len(statements),
        "queued": report.queued,
        "claimed": report.claimed,
        "completed": report.completed,
        "errors": len(report.errors),
        "rss_before_mb": rss_before,
        "peak_rss_mb": _peak_rss(),
        "phases_s": dict(phases),
    }


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> float:
    """The RSS now, made the peak (Linux: imports and start-up may have peaked
    higher, which would hide the tick's own peak); elsewhere ru_maxrss so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _status_mb("VmRSS") or 0.0


def _peak_rss() -> float:
    """Peak RSS since _reset_peak_rss (VmHWM), or of the process (ru_maxrss)."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _check_exactly_once(url: str, n: int, claims_only: bool) -> bool:
    """Every due cluster has one snapshot row, completed (claimed) at its first attempt."""
    status = SnapshotStatus.RUNNING if claims_only else SnapshotStatus.COMPLETED
    await Tortoise.init(config=tortoise_config(url))
    try:
        rows = await Snapshot.all().count()
        once = await Snapshot.filter(status=status, attempts=1).count()
        clusters = len(await Snapshot.all().distinct().values_list("cluster_id", flat=True))
    finally:
        await Tortoise.close_connections()
    return rows == once == clusters == n


async def _autovacuum_is_off(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return bool(await conn.fetchval("SHOW autovacuum") == "off")
    finally:
        await conn.close()


@contextmanager
def _autovacuum(url: str) -> Iterator[bool]:
    """What autovacuum does, where the server runs without it (a shared
    development server may): VACUUM ANALYZE the scheduler's tables every
    AUTOVACUUM_EVERY seconds meanwhile. Without statistics PostgreSQL plans
    a search by 500 cluster ids as a scan of the table, every batch."""
    if not url.startswith("postgres") or not asyncio.run(_autovacuum_is_off(url)):
        yield False
        return
    stop = threading.Event()

    started = threading.Event()

    async def loop() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("VACUUM ANALYZE snapshots, clusters")  # after the seeding
            started.set()
            while not await asyncio.to_thread(stop.wait, AUTOVACUUM_EVERY):
                await conn.execute("VACUUM ANALYZE snapshots, clusters")
        finally:
            started.set()
            await conn.close()

    worker = threading.Thread(target=asyncio.run, args=(loop(),), daemon=True)
    worker.start()
    started.wait()
    try:
        yield True
    finally:
        stop.set()
        worker.join()


def measure(
    n: int, workdir: Path, schedulers: int = 1, claims_only: bool = False
) -> dict[str, Any]:
    """Seed N due clusters, then tick with ``schedulers`` processes at once."""
    url = _url(workdir)
    started = time.perf_counter()
    asyncio.run(seed(url, n))
    seeding = time.perf_counter() - started
    with _autovacuum(url) as emulated:
        runs = _ticks(url, workdir, schedulers, claims_only)
    wall = max(r["ended"] for r in runs) - min(r["began"] for r in runs)
    statements = sum(r["statements"] for r in runs)
    completed = sum(r["completed"] for r in runs)
    assert completed == n and sum(r["queued"] for r in runs) == n, runs
    return {
        "clusters": n,
        "schedulers": schedulers,
        "seed_s": seeding,
        "wall_s": wall,
        "ms_per_cluster": 1000 * wall / n,
        "cpu_ms_per_cluster": 1000 * sum(r["cpu_s"] for r in runs) / n,
        "statements": statements,
        "statements_per_cluster": statements / n,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rss_before_mb": max(r["rss_before_mb"] for r in runs),
        "exactly_once": asyncio.run(_check_exactly_once(url, n, claims_only)),
        "claims_only": claims_only,
        "autovacuum_emulated": emulated,
        "phases_s": [r["phases_s"] for r in runs],
        "queued_by_scheduler": [r["queued"] for r in runs],
        "completed_by_scheduler": [r["completed"] for r in runs],
        "load_before": runs[0]["load_before"],
        "load_after": os.getloadavg(),
    }


def _ticks(url: str, workdir: Path, schedulers: int, claims_only: bool) -> list[dict[str, Any]]:
    """Start the tick processes, release them together, collect their reports."""
    load_before = os.getloadavg()
    env = {**os.environ, "BENCH_TICK_DATABASE_URL": url}
    procs = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "bench.tick_scale",
                "--tick",
                str(workdir),
                f"bench-{k}",
                *(["--claims-only"] if claims_only else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for k in range(schedulers)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:  # released together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    runs = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"tick process failed ({proc.returncode})")
        runs.append(json.loads(out.strip().splitlines()[-1]))
    for r in runs:
        r["load_before"] = load_before
    return runs


def database_label(url: str | None) -> str:
    return "PostgreSQL" if url and url.startswith("postgres") else "SQLite"


def run_in_subprocess(
    n: int, timeout: float, database_url: str | None, schedulers: int = 1
) -> dict[str, Any]:
    """One size in a fresh interpreter (its seeding apart from the others').
    ``database_url`` None: SQLite in a temp folder."""
    env = dict(os.environ)
    env.pop("BENCH_TICK_DATABASE_URL", None)
    if database_url:
        env["BENCH_TICK_DATABASE_URL"] = database_url
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.tick_scale", "--json", "--schedulers", str(schedulers),
         str(n)],
        capture_output=True, text=True, check=True, timeout=timeout, env=env, cwd=ROOT,
    ).stdout  # fmt: skip
    return {**json.loads(out.strip().splitlines()[-1]), "database": database_label(database_url)}


def _flag(args: list[str], name: str) -> bool:
    if name in args:
        args.remove(name)
        return True
    return False


def _option(args: list[str], name: str, default: int) -> int:
    if name in args:
        at = args.index(name)
        value = int(args[at + 1])
        del args[at : at + 2]
        return value
    return default


def _postgres_url() -> str:
    return os.environ.get("BENCH_TICK_DATABASE_URL") or DEFAULT_POSTGRES


def run_all(large: bool, schedulers: int) -> list[dict[str, Any]]:
    """The section's runs: each size on PostgreSQL and SQLite, then ``schedulers``
    processes at once on PostgreSQL at the largest size."""
    sizes = [*SIZES, *([LARGE] if large else [])]
    rows = []
    for url in (_postgres_url(), None):
        for n in sizes:
            print(f"tick of {n} due clusters on {database_label(url)}", file=sys.stderr)
            rows.append(run_in_subprocess(n, timeout=600 + n / 20, database_url=url))
    if schedulers > 1:
        print(f"{schedulers} schedulers over {sizes[-1]} due clusters", file=sys.stderr)
        rows.append(run_in_subprocess(sizes[-1], 600 + sizes[-1] / 20, _postgres_url(), schedulers))
    return rows


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--tick"]:
        url = os.environ["BENCH_TICK_DATABASE_URL"]
        claims = "--claims-only" in args
        print(json.dumps(asyncio.run(_one_tick(url, Path(args[1]), args[2], claims))))
        return
    if args[:1] == ["--render"]:  # JSON lines of earlier --json runs
        lines = Path(args[1]).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.startswith("{")]
        tick_report.write_section(tick_report.section(rows, " ".join(args[2:]) or COMMAND))
        return
    as_json = _flag(args, "--json")
    large = _flag(args, "--100k")
    schedulers = _option(args, "--schedulers", 1)
    claims_only = _flag(args, "--claims-only")
    if _flag(args, "--section"):
        rows = run_all(large, max(schedulers, 4))
        command = f"python -m bench.tick_scale --section{' --100k' if large else ''}"
        tick_report.write_section(tick_report.section(rows, command))
        print(tick_report.RESULTS.read_text(encoding="utf-8"))
        return
    sizes = [int(a) for a in args] or [*SIZES, *([LARGE] if large else [])]
    url = os.environ.get("BENCH_TICK_DATABASE_URL")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            r = {**measure(n, Path(tmp), schedulers, claims_only), "database": database_label(url)}
        lines = [json.dumps(r)] if as_json else tick_report.table([r])[0 if n == sizes[0] else 2 :]
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
