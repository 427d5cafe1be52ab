"""A slot's day, its expiration, its leftovers and its counts (defects 6-9)."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from graphql_api.domain.clusters import NodeRole
from graphql_api.domain.locations import StorageLocation
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Snapshot, SnapshotStatus
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.settings import Settings
from graphql_api.storage import build_stores
from graphql_api.storage.local import LocalStore
from tests.conftest import World
from tests.test_snapshot_engine import CREATED, DAY, HOUR, _snapshots, set_node_health


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(snapshot_root=tmp_path / "snapshots")  # type: ignore[call-arg]


@pytest.fixture
def engine(settings: Settings) -> SnapshotScheduler:
    return SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings, worker_id="w1")


# 6. An attempt is never started after its slot's day has ended.


async def test_a_retry_due_after_downtime_is_not_taken_once_the_day_is_over(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await set_node_health(cluster, healthy=False, role=NodeRole.SECONDARY)
    await engine.tick(CREATED + DAY)  # fails, queued for a retry an hour later
    [first] = await _snapshots(cluster)
    assert first.status is SnapshotStatus.QUEUED
    await set_node_health(cluster, healthy=True, role=NodeRole.SECONDARY)
    # The scheduler is down for almost two days, then comes back.
    await engine.tick(CREATED + 2 * DAY + 22 * HOUR)
    first, second = await _snapshots(cluster)
    assert first.status is SnapshotStatus.FAILED, "taken after its day was over"
    assert first.attempts == 1  # no attempt after the day ended
    reason = (first.failure_reason or "").lower()
    assert "day ended" in reason and "retry" not in reason
    assert first.finish_time == CREATED + 2 * DAY + 22 * HOUR
    assert second.scheduled_time == CREATED + 2 * DAY
    assert second.status is SnapshotStatus.COMPLETED


async def test_a_slot_queued_before_an_outage_fails_when_its_day_is_over(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await Snapshot.create(
        cluster=cluster, project_id=cluster.project_id, scheduled_time=CREATED + DAY,
        status=SnapshotStatus.QUEUED, storage_location=StorageLocation.USA,
        mongodb_version=cluster.mongodb_version,
    )  # fmt: skip
    await Cluster.filter(id=cluster.id).update(next_snapshot_at=CREATED + 2 * DAY)
    await engine.tick(CREATED + 2 * DAY - timedelta(seconds=1))  # the last second of its day
    [queued] = await _snapshots(cluster)
    assert queued.status is SnapshotStatus.COMPLETED
    await Snapshot.filter(id=queued.id).update(
        status=SnapshotStatus.QUEUED, finish_time=None, storage_key=None
    )
    await engine.tick(CREATED + 2 * DAY)  # its day is over: failed, never taken
    old = await Snapshot.get(id=queued.id)
    assert old.status is SnapshotStatus.FAILED
    assert "day ended" in (old.failure_reason or "")


async def test_a_final_failure_never_says_it_will_retry(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await set_node_health(cluster, healthy=False, role=NodeRole.SECONDARY)
    for hour in range(25):
        await engine.tick(CREATED + DAY + hour * HOUR)
    first = (await _snapshots(cluster))[0]
    assert first.status is SnapshotStatus.FAILED
    assert "No healthy secondary" in (first.failure_reason or "")
    assert "retry" not in (first.failure_reason or "").lower()


# 7. `expiration` follows retention: the last 8 completed.


async def test_expiration_names_the_tick_that_deletes_each_snapshot(
    world: World, engine: SnapshotScheduler
) -> None:
    """Daily slots over three weeks, four of them failing all day long (retried
    hourly until the day ends): every kept snapshot's expiration is always in
    the future, a failed day moves each one a day later, and each snapshot is
    deleted by the very tick its expiration names."""
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    failing_days = {4, 9, 10, 15}
    deleted = 0
    for day in range(1, 23):
        slot = CREATED + day * DAY
        failing = day in failing_days
        await set_node_health(cluster, healthy=not failing, role=NodeRole.SECONDARY)
        before = {s.id: s.expiration for s in await _snapshots(cluster)}
        for now in [slot + hour * HOUR for hour in range(24 if failing else 1)]:
            await engine.tick(now)
            for snapshot in await _snapshots(cluster):
                if snapshot.status is SnapshotStatus.COMPLETED:
                    assert snapshot.expiration is not None and snapshot.expiration > now, day
        after = await _snapshots(cluster)
        gone = before.keys() - {s.id for s in after}
        if failing:
            assert after[-1].status is SnapshotStatus.FAILED, day
            assert not gone, "a failed day deletes nothing"
            for snapshot in after[:-1]:
                if snapshot.status is SnapshotStatus.COMPLETED:
                    assert snapshot.expiration == before[snapshot.id] + DAY, day
        else:
            assert after[-1].status is SnapshotStatus.COMPLETED, day
            completed_gone = {i for i in gone if before[i] is not None}  # failed rows have none
            assert completed_gone == {i for i, when in before.items() if when == slot}, day
            deleted += len(completed_gone)
        assert sum(s.status is SnapshotStatus.COMPLETED for s in after) <= 8
    assert deleted >= 8  # the history was long enough to see deletions


# 8. Temporary files and uploads: never leaked, swept when stale.


async def test_a_failed_local_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path / "USA")
    real_open = open

    class FailingHandle:
        """A file whose write and close both fail (a full disk does that)."""

        def __init__(self, path: Path) -> None:
            self._real = real_open(path, "wb")

        def writelines(self, data: object) -> None:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            self._real.close()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        "graphql_api.storage.local.open", lambda path, mode: FailingHandle(path), raising=False
    )

    async def chunks():  # type: ignore[no-untyped-def]
        yield b"x" * (2 * 1024 * 1024)

    with pytest.raises(OSError, match="No space"):
        await store.put("a/b.archive.gz", chunks())
    assert await store.partial_files() == []


async def test_stale_temporary_files_are_swept_on_every_tick(
    world: World, settings: Settings, engine: SnapshotScheduler
) -> None:
    store = engine.stores[StorageLocation.GERMANY]
    assert isinstance(store, LocalStore)
    folder = store.root / "p" / "c"
    folder.mkdir(parents=True)
    stale = folder / ".s.archive.gz.dead.partial"
    fresh = folder / ".s.archive.gz.live.partial"
    stale.write_bytes(b"left by a killed process")
    fresh.write_bytes(b"a write in progress elsewhere")
    old = time.time() - settings.snapshot_lease_seconds - 60
    os.utime(stale, (old, old))
    report = await engine.tick(CREATED)
    assert not stale.exists() and fresh.exists()
    assert report.swept == 1


# 9. Counts: each slot queued once, each missed slot counted once.


async def test_concurrent_schedulers_report_each_queued_row_and_missed_slot_once(
    world: World, settings: Settings
) -> None:
    project = await world.project()
    clusters = [await world.cluster(project, created_at=CREATED) for _ in range(10)]
    stores = build_stores(settings)
    schedulers = [
        SnapshotScheduler(SimulatedFleet(), stores, settings, worker_id=f"s{i}") for i in range(3)
    ]
    missed_before = (
        REGISTRY.get_sample_value("flex_snapshot_missed_slots_total", {"storage_location": "USA"})
        or 0
    )
    now = CREATED + 4 * DAY + HOUR  # three slots missed per cluster, the fourth is due
    reports = await asyncio.gather(*(s.tick(now) for s in schedulers))
    assert sum(r.queued for r in reports) == len(clusters)
    assert sum(r.missed_slots for r in reports) == 3 * len(clusters)
    missed_after = REGISTRY.get_sample_value(
        "flex_snapshot_missed_slots_total", {"storage_location": "USA"}
    )
    assert missed_after == missed_before + 3 * len(clusters)
    assert await Snapshot.all().count() == len(clusters)
    again = await asyncio.gather(*(s.tick(now + HOUR) for s in schedulers))
    assert sum(r.queued for r in again) == 0 and sum(r.missed_slots for r in again) == 0
