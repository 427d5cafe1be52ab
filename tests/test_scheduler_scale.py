"""A tick's memory is one batch, whatever the fleet's size: no statement of
the scheduler fetches more rows than its batch size."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from graphql_api.domain import schedule
from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.regions import CloudProvider
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Project, Snapshot, SnapshotStatus
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.services import daily_snapshots
from graphql_api.services.leases import RetryPolicy
from graphql_api.settings import Settings
from graphql_api.storage import build_stores
from tests.conftest import World
from tests.test_snapshot_engine import CREATED, DAY

SPREAD = DAY - timedelta(seconds=10)
TICK = CREATED + 2 * DAY - timedelta(seconds=1)  # every cluster's first slot due, its day open


async def _due_clusters(project: Project, n: int) -> None:
    """N Flex clusters created over one day: all due at TICK, each at its own time."""
    rows = []
    for i in range(n):
        created = CREATED + i * SPREAD / n
        rows.append(
            Cluster(
                project=project,
                name=f"c{i:05d}",
                tier=ClusterTier.FLEX,
                cloud_provider=CloudProvider.AWS,
                region="us-east-1",
                mongodb_version="8.0",
                created_at=created,
                next_snapshot_at=schedule.first_slot(created),
            )
        )
    await Cluster.bulk_create(rows, batch_size=1000)


@contextmanager
def rows_per_statement(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Yields a list that fills with (statement, rows it returned) for each read."""
    seen: list[tuple[str, int]] = []
    client = type(connections.get("default"))

    def counting(name: str) -> None:
        original = getattr(client, name)

        async def wrapper(self: Any, query: str, values: Any = None) -> Any:
            result = await original(self, query, values)
            rows = result[1] if name == "execute_query" else result
            seen.append((query, len(rows)))
            return result

        monkeypatch.setattr(client, name, wrapper)

    counting("execute_query")
    counting("execute_query_dict")
    yield seen
    monkeypatch.undo()


async def test_queueing_5000_due_clusters_holds_one_batch_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_clusters(await world.project(), 5000)
    with rows_per_statement(monkeypatch) as seen:
        queued, missed = await daily_snapshots.schedule_due_snapshots(TICK, batch_size=500)
    assert (queued, missed) == (5000, 0)
    reads = [rows for _, rows in seen]
    assert reads and max(reads) == 500, "no statement fetches more than one batch"
    due_reads = [rows for sql, rows in seen if 'FROM "clusters"' in sql]
    assert due_reads == [500] * 10 + [0]  # ten full batches, then none left
    assert await Snapshot.filter(status=SnapshotStatus.QUEUED).count() == 5000
    assert await Cluster.filter(next_snapshot_at__lte=TICK).count() == 0


async def test_a_whole_tick_reads_one_batch_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Queueing, claiming, the fleet's node health, taking, and retention."""
    await _due_clusters(await world.project(), 600)
    settings = Settings(snapshot_root=tmp_path / "snapshots")  # type: ignore[call-arg]
    engine = SnapshotScheduler(
        SimulatedFleet(), build_stores(settings), settings, worker_id="w", batch_size=100
    )
    with rows_per_statement(monkeypatch) as seen:
        report = await engine.tick(TICK)
    assert report.queued == report.completed == 600
    assert max(rows for _, rows in seen) == 100
    assert await Snapshot.filter(status=SnapshotStatus.COMPLETED).count() == 600


async def test_a_claim_skips_the_rows_another_scheduler_holds(
    world: World, database_url: str
) -> None:
    """PostgreSQL: while one scheduler holds a claimed row, another claims the
    rest at once instead of waiting on it and coming back empty-handed."""
    if not database_url.startswith("postgres"):
        pytest.skip("row locks: SQLite has one writer at a time")
    import asyncpg

    await _due_clusters(await world.project(), 3)
    await daily_snapshots.schedule_due_snapshots(TICK)
    policy = RetryPolicy(lease=timedelta(minutes=15), max_attempts=3, retry_delay=timedelta(1))
    other = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        held = other.transaction()
        await held.start()
        locked = await other.fetchval(
            "SELECT id FROM snapshots ORDER BY scheduled_time, id LIMIT 1 FOR UPDATE"
        )
        claimed = await asyncio.wait_for(
            daily_snapshots.claim_snapshots(TICK, "b", policy, limit=10), timeout=10
        )
        await held.rollback()
    finally:
        await other.close()
    assert len(claimed) == 2 and locked not in {s.id for s in claimed}
