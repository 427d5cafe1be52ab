"""The daily snapshot engine end to end: simulated fleet, real archives, local stores."""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from graphql_api.domain.clusters import ClusterTier, NodeHealth, NodeRole
from graphql_api.domain.locations import StorageLocation
from graphql_api.domain.regions import CloudProvider
from graphql_api.fleet.archive import read_archive
from graphql_api.fleet.base import ClusterAddress
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Snapshot, SnapshotStatus
from graphql_api.scheduler import SnapshotScheduler, runner
from graphql_api.services.clusters import address_of
from graphql_api.settings import Settings
from graphql_api.storage import build_stores
from graphql_api.storage.base import StoredObject
from graphql_api.storage.local import LocalStore
from tests.conftest import NOW, World

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CREATED = NOW - timedelta(days=30)


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(snapshot_root=tmp_path / "snapshots", **overrides)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def engine(settings: Settings) -> SnapshotScheduler:
    return SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings, worker_id="w1")


async def set_node_health(cluster: Cluster, **changes: object) -> int:
    return await SimulatedFleet().set_node_health(address_of(cluster), **changes)  # type: ignore[arg-type]


async def _snapshots(cluster: Cluster) -> list[Snapshot]:
    return list(await Snapshot.filter(cluster_id=cluster.id).order_by("scheduled_time"))


async def _all_keys(engine: SnapshotScheduler) -> dict[StorageLocation, list[str]]:
    return {loc: await store.keys() for loc, store in engine.stores.items()}


async def test_first_snapshot_a_day_after_creation_not_before(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await engine.tick(CREATED + DAY - timedelta(seconds=1))
    assert await _snapshots(cluster) == []
    report = await engine.tick(CREATED + DAY)
    assert report.completed == 1
    [snap] = await _snapshots(cluster)
    assert snap.scheduled_time == CREATED + DAY
    assert snap.status is SnapshotStatus.COMPLETED
    assert snap.expiration == CREATED + 9 * DAY


async def test_one_snapshot_per_day_at_the_same_time(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    for hour in range(24, 24 * 4 + 1):  # hourly ticks over three days
        await engine.tick(CREATED + hour * HOUR + timedelta(minutes=7))
    snaps = await _snapshots(cluster)
    assert [s.scheduled_time for s in snaps] == [CREATED + d * DAY for d in (1, 2, 3, 4)]
    assert {s.scheduled_time.time() for s in snaps} == {CREATED.time()}


async def test_after_ten_days_eight_are_kept_and_the_oldest_bytes_are_gone(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED, region="us-east-1")
    store = engine.stores[StorageLocation.USA]
    first_two: list[Snapshot] = []
    for day in range(1, 11):
        await engine.tick(CREATED + day * DAY + HOUR)
        if day == 2:
            first_two = await _snapshots(cluster)
    assert [await store.size(s.storage_key or "") is not None for s in first_two] == [
        False,
        False,
    ], "pruned snapshots' bytes are deleted"
    snaps = await _snapshots(cluster)
    assert len(snaps) == 8
    assert [s.scheduled_time for s in snaps] == [CREATED + d * DAY for d in range(3, 11)]
    assert sorted(await store.keys()) == sorted(s.storage_key for s in snaps)
    assert {s.id for s in first_two}.isdisjoint({s.id for s in snaps})


async def test_missed_slots_are_counted_not_backfilled(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED, region="eu-west-2")
    before = (
        REGISTRY.get_sample_value(
            "flex_snapshot_missed_slots_total", {"storage_location": "IRELAND"}
        )
        or 0
    )
    await engine.tick(CREATED + DAY)
    report = await engine.tick(CREATED + 5 * DAY + HOUR)  # the server was down for days 2-4
    assert report.missed_slots == 3
    assert [s.scheduled_time for s in await _snapshots(cluster)] == [
        CREATED + DAY,
        CREATED + 5 * DAY,
    ]
    after = REGISTRY.get_sample_value(
        "flex_snapshot_missed_slots_total", {"storage_location": "IRELAND"}
    )
    assert after == before + 3


async def test_read_from_the_least_lagged_healthy_secondary_never_the_primary(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    [listed] = (await SimulatedFleet().nodes([address_of(cluster)])).values()
    primary = next(n for n in listed.nodes if n.role is NodeRole.PRIMARY)
    laggy, quick = sorted(
        (n for n in listed.nodes if n.role is NodeRole.SECONDARY), key=lambda n: n.hostname
    )
    await set_node_health(cluster, healthy=True, hostname=laggy.hostname, replication_lag_ms=5_000)
    await set_node_health(cluster, healthy=True, hostname=quick.hostname, replication_lag_ms=10)
    await engine.tick(CREATED + DAY)
    [snap] = await _snapshots(cluster)
    assert snap.source_node == quick.hostname
    assert snap.source_node != primary.hostname
    # The best secondary goes down: the other one serves, still not the primary.
    await set_node_health(cluster, healthy=False, hostname=quick.hostname)
    await engine.tick(CREATED + 2 * DAY)
    assert (await _snapshots(cluster))[-1].source_node == laggy.hostname


async def test_no_healthy_secondary_fails_then_recovers_within_the_day(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await set_node_health(cluster, healthy=False, role=NodeRole.SECONDARY)
    report = await engine.tick(CREATED + DAY)
    assert report.retrying == 1
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.QUEUED
    assert "No healthy secondary" in (snap.failure_reason or "")
    assert await _all_keys(engine) == {loc: [] for loc in StorageLocation}
    await engine.tick(CREATED + DAY + 30 * timedelta(minutes=1))  # before the retry time
    assert (await _snapshots(cluster))[0].attempts == 1
    await set_node_health(cluster, healthy=True, role=NodeRole.SECONDARY)
    await engine.tick(CREATED + DAY + 2 * HOUR)
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.COMPLETED
    assert snap.attempts == 2 and snap.failure_reason is None


async def test_no_healthy_secondary_all_day_fails_for_good(
    world: World, engine: SnapshotScheduler
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await set_node_health(cluster, healthy=False, role=NodeRole.SECONDARY)
    for hour in range(0, 25):
        await engine.tick(CREATED + DAY + hour * HOUR)
    first = (await _snapshots(cluster))[0]
    assert first.status is SnapshotStatus.FAILED
    assert "No healthy secondary" in (first.failure_reason or "")
    assert first.finish_time is not None
    await set_node_health(cluster, healthy=True, role=NodeRole.SECONDARY)
    await engine.tick(CREATED + 2 * DAY + HOUR)
    assert [s.status for s in await _snapshots(cluster)] == [
        SnapshotStatus.FAILED,
        SnapshotStatus.COMPLETED,
    ]


ROUTES = [
    (CloudProvider.AWS, "ap-east-1", StorageLocation.AUSTRALIA),  # Hong Kong
    (CloudProvider.AWS, "eu-central-1", StorageLocation.GERMANY),  # Frankfurt
    (CloudProvider.AZURE, "australiaeast", StorageLocation.AUSTRALIA),
    (CloudProvider.GCP, "asia-east1", StorageLocation.ASIA),  # Taiwan
    (CloudProvider.AWS, "ap-southeast-1", StorageLocation.ASIA),  # Singapore
    (CloudProvider.GCP, "us-central1", StorageLocation.USA),
    (CloudProvider.AWS, "sa-east-1", StorageLocation.IRELAND),  # Brazil: unlisted
]


async def test_bytes_land_in_the_store_of_the_clusters_location(
    world: World, engine: SnapshotScheduler
) -> None:
    project = await world.project()
    placed = {}
    for provider, region, location in ROUTES:
        cluster = await world.cluster(project, provider=provider, region=region, created_at=CREATED)
        placed[cluster.id] = location
    await engine.tick(CREATED + DAY)
    keys = await _all_keys(engine)
    for cluster_id, location in placed.items():
        [snap] = await Snapshot.filter(cluster_id=cluster_id)
        assert snap.storage_location is location
        assert snap.storage_key in keys[location]
        others = [k for loc, ks in keys.items() if loc is not location for k in ks]
        assert snap.storage_key not in others
    store = engine.stores[StorageLocation.AUSTRALIA]
    assert isinstance(store, LocalStore) and store.root.name == "AUSTRALIA"


async def test_archive_round_trip_with_checksum(world: World, engine: SnapshotScheduler) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    await engine.tick(CREATED + DAY)
    [snap] = await _snapshots(cluster)
    store = engine.stores[snap.storage_location]
    data = b"".join([chunk async for chunk in store.get(snap.storage_key or "")])
    assert len(data) == snap.size_bytes
    import hashlib

    assert hashlib.sha256(data).hexdigest() == snap.sha256
    assert data[:2] == b"\x1f\x8b"  # gzip
    assert gzip.decompress(data)[:4] == bytes.fromhex("6de29981")  # mongodump magic
    namespaces = {(n.db, n.collection): n for n in read_archive(data)}
    customers = namespaces[("app", "customers")].documents
    assert len(customers) == 20 and customers[0]["name"] == "customer-001"
    # The data changes from day to day, deterministically.
    await engine.tick(CREATED + 2 * DAY)
    second = (await _snapshots(cluster))[1]
    assert second.sha256 != snap.sha256


async def test_flex_only_and_only_with_backup_enabled(
    world: World, engine: SnapshotScheduler
) -> None:
    project = await world.project()
    off = await world.cluster(project, created_at=CREATED, backup_enabled=False)
    m10 = await world.cluster(project, created_at=CREATED, tier=ClusterTier.M10)
    await engine.tick(CREATED + 3 * DAY)
    assert await _snapshots(off) == [] and await _snapshots(m10) == []


async def test_concurrent_schedulers_take_each_slot_once(world: World, settings: Settings) -> None:
    """Two schedulers (two connections on PostgreSQL) tick at the same moment."""
    project = await world.project()
    clusters = [await world.cluster(project, created_at=CREATED) for _ in range(12)]
    stores = build_stores(settings)
    a = SnapshotScheduler(SimulatedFleet(), stores, settings, worker_id="a")
    b = SnapshotScheduler(SimulatedFleet(), stores, settings, worker_id="b")
    for day in (1, 2):
        reports = await asyncio.gather(a.tick(CREATED + day * DAY), b.tick(CREATED + day * DAY))
        assert sum(r.completed for r in reports) == len(clusters)
    for cluster in clusters:
        snaps = await _snapshots(cluster)
        assert [s.scheduled_time for s in snaps] == [CREATED + DAY, CREATED + 2 * DAY]
        assert all(s.status is SnapshotStatus.COMPLETED and s.attempts == 1 for s in snaps)
    keys = await stores[StorageLocation.USA].keys()
    assert len(keys) == 2 * len(clusters)


class StallingFleet(SimulatedFleet):
    """Writes part of the archive, then waits forever (until cancelled)."""

    def __init__(self) -> None:
        super().__init__()
        self.midway = asyncio.Event()

    async def dump(
        self, cluster: ClusterAddress, node: NodeHealth, at: datetime
    ) -> AsyncIterator[bytes]:
        async for chunk in super().dump(cluster, node, at):
            yield chunk
            self.midway.set()
            await asyncio.Event().wait()


async def test_cancelled_mid_write_recovers_without_orphans(
    world: World, settings: Settings
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    stores = build_stores(settings)
    stalling = StallingFleet()
    crashed = SnapshotScheduler(stalling, stores, settings, worker_id="crashed")
    task = asyncio.create_task(crashed.tick(CREATED + DAY))
    await asyncio.wait_for(stalling.midway.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.RUNNING
    store = stores[StorageLocation.USA]
    assert isinstance(store, LocalStore)
    assert await store.keys() == [] and await store.partial_files() == []

    healthy = SnapshotScheduler(SimulatedFleet(), stores, settings, worker_id="healthy")
    await healthy.tick(CREATED + DAY + timedelta(minutes=1))  # lease still held: left alone
    assert (await _snapshots(cluster))[0].status is SnapshotStatus.RUNNING
    await healthy.tick(CREATED + DAY + timedelta(seconds=settings.snapshot_lease_seconds + 1))
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.COMPLETED and snap.attempts == 2
    assert await store.keys() == [snap.storage_key]


async def test_stopping_worker_releases_its_lease_after_the_grace(
    world: World, settings: Settings
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    stores = build_stores(settings)
    stalling = StallingFleet()
    stopping = SnapshotScheduler(stalling, stores, settings, worker_id="stopping")
    task = asyncio.create_task(stopping.tick(CREATED + DAY))
    await asyncio.wait_for(stalling.midway.wait(), 10)
    await runner.stop(stopping, task, grace=0.05)
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.QUEUED and snap.lease_owner is None
    # Another worker takes it over at once, not after the 15-minute lease.
    other = SnapshotScheduler(SimulatedFleet(), stores, settings, worker_id="other")
    await other.tick(CREATED + DAY + timedelta(minutes=1))
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.COMPLETED and snap.attempts == 2
    store = stores[StorageLocation.USA]
    assert isinstance(store, LocalStore)
    assert await store.keys() == [snap.storage_key] and await store.partial_files() == []


class GatedFleet(SimulatedFleet):
    """Each dump waits until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()
        self.gate = asyncio.Event()

    async def dump(
        self, cluster: ClusterAddress, node: NodeHealth, at: datetime
    ) -> AsyncIterator[bytes]:
        self.waiting.set()
        await self.gate.wait()
        async for chunk in super().dump(cluster, node, at):
            yield chunk


async def test_stopping_worker_finishes_the_work_in_hand_and_claims_no_more(
    world: World, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, snapshot_concurrency=1)
    first = await world.cluster(await world.project(), created_at=CREATED)
    gated = GatedFleet()
    scheduler = SnapshotScheduler(gated, build_stores(settings), settings, worker_id="w")
    task = asyncio.create_task(scheduler.tick(CREATED + DAY))
    await asyncio.wait_for(gated.waiting.wait(), 10)
    late = await world.cluster(await world.project(), created_at=CREATED)  # due, not yet claimed
    await Snapshot.create(
        cluster=late, project_id=late.project_id, scheduled_time=CREATED + DAY,
        status=SnapshotStatus.QUEUED, storage_location=StorageLocation.USA,
        mongodb_version=late.mongodb_version,
    )  # fmt: skip
    stopping = asyncio.create_task(runner.stop(scheduler, task, grace=10))
    gated.gate.set()
    await stopping
    assert (await _snapshots(first))[0].status is SnapshotStatus.COMPLETED
    assert (await _snapshots(late))[0].status is SnapshotStatus.QUEUED


async def test_interrupted_too_often_is_failed_with_reason(world: World, tmp_path: Path) -> None:
    settings = _settings(tmp_path, snapshot_max_attempts=1)
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    stalling = StallingFleet()
    stores = build_stores(settings)
    task = asyncio.create_task(SnapshotScheduler(stalling, stores, settings).tick(CREATED + DAY))
    await asyncio.wait_for(stalling.midway.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    later = CREATED + DAY + timedelta(seconds=settings.snapshot_lease_seconds + 1)
    report = await SnapshotScheduler(SimulatedFleet(), stores, settings).tick(later)
    assert report.abandoned == 1
    [snap] = await _snapshots(cluster)
    assert snap.status is SnapshotStatus.FAILED
    assert "after 1 interrupted attempt" in (snap.failure_reason or "")
    assert await stores[StorageLocation.USA].keys() == []


class DeniedStore(LocalStore):
    """A store whose disk refuses writes, as an OS error naming the file."""

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> StoredObject:
        async for _ in chunks:
            break
        raise PermissionError(f"[Errno 1] Operation not permitted: '{self.root / key}'")


async def test_failure_reasons_are_sentences_and_the_details_go_to_the_log(
    world: World, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = await world.cluster(await world.project(), created_at=CREATED)
    stores = build_stores(settings)
    stores[StorageLocation.USA] = DeniedStore(settings.snapshot_root / "USA")
    engine = SnapshotScheduler(SimulatedFleet(), stores, settings)
    with caplog.at_level(logging.ERROR):
        await engine.tick(CREATED + DAY)
    [snap] = await _snapshots(cluster)
    reason = snap.failure_reason or ""
    assert str(settings.snapshot_root) not in reason and "/" not in reason, reason
    assert "Errno" not in reason and "Operation not permitted" not in reason
    error_id = re.search(r"error id ([0-9a-f]{32})", reason)
    assert error_id, reason
    logged = [r for r in caplog.records if error_id.group(1) in r.getMessage()]
    assert logged and "Operation not permitted" in str(logged[0].exc_info[1])
