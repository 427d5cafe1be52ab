"""The daily snapshot use cases: schedule, claim, take, give up, prune.

Correctness never rests on timing: a unique key on (cluster, scheduled time)
makes a slot's row exist once, and every state change after a claim is
guarded by the claimant's lease token, so a worker that lost its lease can
neither complete nor fail a snapshot someone else now owns.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from graphql_api import metrics
from graphql_api.domain import retention, schedule
from graphql_api.domain.attempts import retry_at
from graphql_api.domain.clusters import ClusterNodes, ClusterTier, pick_snapshot_source
from graphql_api.domain.locations import storage_location_for_region
from graphql_api.fleet.base import ClusterAddress, Fleet
from graphql_api.models import BackupJob, Cluster, DeliveryType, Snapshot, SnapshotStatus
from graphql_api.services import leases
from graphql_api.services.failures import failure_reason
from graphql_api.storage import Stores

log = logging.getLogger("graphql_api.snapshots")
BATCH = 500


@dataclass(frozen=True, slots=True)
class Limits:
    lease: timedelta
    max_attempts: int
    retry_delay: timedelta


def snapshot_key(snapshot: Snapshot, attempt: int) -> str:
    """Each attempt writes its own object, so a late loser never clobbers a winner."""
    return f"{snapshot.project_id}/{snapshot.cluster_id}/{snapshot.id}-{attempt}.archive.gz"


async def schedule_due_snapshots(now: datetime) -> tuple[int, int]:
    """Queue one snapshot per due Flex cluster for its latest slot; (queued, missed)."""
    due = await Cluster.filter(
        next_snapshot_at__lte=now, backup_enabled=True, tier=ClusterTier.FLEX
    )
    rows, missed_total = [], 0
    for cluster in due:
        latest = schedule.latest_due_slot(cluster.created_at, now)
        if latest is None:  # next_snapshot_at was set too early; put it right
            cluster.next_snapshot_at = schedule.first_slot(cluster.created_at)
            continue
        location = storage_location_for_region(cluster.cloud_provider, cluster.region)
        expected = cluster.next_snapshot_at or latest
        missed = max(0, (latest - expected) // schedule.SNAPSHOT_INTERVAL)
        if missed:
            metrics.MISSED_SLOTS.labels(location.value).inc(missed)
            missed_total += missed
        rows.append(
            Snapshot(
                cluster_id=cluster.id,
                project_id=cluster.project_id,
                scheduled_time=latest,
                status=SnapshotStatus.QUEUED,
                mongodb_version=cluster.mongodb_version,
                storage_location=location,
            )
        )
        cluster.next_snapshot_at = latest + schedule.SNAPSHOT_INTERVAL
    if rows:
        await Snapshot.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
    if due:
        await Cluster.bulk_update(due, fields=["next_snapshot_at"], batch_size=BATCH)
    return len(rows), missed_total


def _claimable(now: datetime) -> Q:
    waiting = Q(status=SnapshotStatus.QUEUED) & (
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )
    stale = Q(status=SnapshotStatus.RUNNING, lease_expires_at__lte=now)
    return waiting | stale


async def claim_snapshots(
    now: datetime, worker_id: str, limits: Limits, limit: int = BATCH
) -> list[Snapshot]:
    return await leases.claim(
        Snapshot,
        _claimable(now),
        order=("scheduled_time", "id"),
        worker_id=worker_id,
        now=now,
        lease=limits.lease,
        limit=limit,
        status=SnapshotStatus.RUNNING,
        start_time=now,
    )


async def release_snapshots(token: str) -> int:
    """Back to the queue: a worker shutting down gives up its running attempts.
    The next attempt removes whatever bytes this one left."""
    return await leases.release(Snapshot, token, status=SnapshotStatus.QUEUED)


async def give_up_abandoned(now: datetime, limits: Limits, stores: Stores) -> int:
    """Fail snapshots whose workers died mid-run too often, and drop their bytes."""
    gone = Q(status=SnapshotStatus.RUNNING, lease_expires_at__lte=now) & Q(
        attempts__gte=limits.max_attempts
    )
    rows = await Snapshot.filter(gone)
    for snapshot in rows:
        changed = await Snapshot.filter(gone, id=snapshot.id).update(
            status=SnapshotStatus.FAILED,
            finish_time=now,
            failure_reason=(
                f"Abandoned after {snapshot.attempts} interrupted attempt(s): the worker "
                "stopped mid-snapshot each time and its lease expired."
            ),
            lease_owner=None,
            lease_expires_at=None,
        )
        if changed:
            await stores[snapshot.storage_location].delete(
                snapshot_key(snapshot, snapshot.attempts)
            )
            metrics.SNAPSHOTS_FAILED.labels(snapshot.storage_location.value, "true").inc()
    return len(rows)


async def take_snapshot(
    snapshot: Snapshot,
    cluster: ClusterAddress,
    nodes: ClusterNodes,
    fleet: Fleet,
    stores: Stores,
    limits: Limits,
    clock: Callable[[], datetime],
) -> Snapshot:
    """Dump the cluster from its best secondary into its location's store."""
    token, store = snapshot.lease_owner, stores[snapshot.storage_location]
    location = snapshot.storage_location.value
    if snapshot.attempts > 1:  # bytes the interrupted attempt before may have left
        await store.delete(snapshot_key(snapshot, snapshot.attempts - 1))
    if nodes.unreachable is not None:
        return await _attempt_failed(
            snapshot,
            f"The cluster could not be reached: {nodes.unreachable} Will retry while the "
            "slot's day lasts.",
            limits,
            clock(),
        )
    source = pick_snapshot_source(nodes.nodes)
    if source is None:
        return await _attempt_failed(
            snapshot,
            "No healthy secondary: snapshots are never read from the primary. "
            "Will retry while the slot's day lasts.",
            limits,
            clock(),
        )
    key = snapshot_key(snapshot, snapshot.attempts)
    started = clock()
    try:
        stored = await store.put(key, fleet.dump(cluster, source, snapshot.scheduled_time))
    except Exception as exc:
        await store.delete(key)
        reason = failure_reason(
            "The dump or its upload", exc, log, snapshot=snapshot.id, attempt=snapshot.attempts
        )
        return await _attempt_failed(snapshot, reason, limits, clock())
    finished = clock()
    changes = {
        "status": SnapshotStatus.COMPLETED,
        "finish_time": finished,
        "expiration": retention.expiration(snapshot.scheduled_time),
        "source_node": source.hostname,
        "storage_key": key,
        "size_bytes": stored.size,
        "sha256": stored.sha256,
        "failure_reason": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if not await Snapshot.filter(id=snapshot.id, lease_owner=token).update(**changes):
        await store.delete(key)  # our lease ran out meanwhile; the new owner writes its own
        return snapshot
    snapshot.update_from_dict(changes)
    metrics.SNAPSHOTS_COMPLETED.labels(location).inc()
    metrics.SNAPSHOT_SIZE.labels(location).observe(stored.size)
    metrics.SNAPSHOT_DURATION.labels(location).observe((finished - started).total_seconds())
    _log(snapshot, source=source.hostname, duration_s=(finished - started).total_seconds())
    return snapshot


async def _attempt_failed(
    snapshot: Snapshot, reason: str, limits: Limits, now: datetime
) -> Snapshot:
    next_try = retry_at(
        attempts=snapshot.attempts,
        now=now,
        scheduled_time=snapshot.scheduled_time,
        max_attempts=limits.max_attempts,
        retry_delay=limits.retry_delay,
    )
    changes: dict[str, object] = {"failure_reason": reason, "lease_owner": None}
    if next_try is None:
        changes |= {"status": SnapshotStatus.FAILED, "finish_time": now, "lease_expires_at": None}
    else:  # back in the queue; lease_expires_at doubles as "not before"
        changes |= {"status": SnapshotStatus.QUEUED, "lease_expires_at": next_try}
    if await Snapshot.filter(id=snapshot.id, lease_owner=snapshot.lease_owner).update(**changes):
        snapshot.update_from_dict(changes)
        final = "true" if next_try is None else "false"
        metrics.SNAPSHOTS_FAILED.labels(snapshot.storage_location.value, final).inc()
        _log(snapshot, reason=reason)
    return snapshot


def _log(snapshot: Snapshot, **extra: object) -> None:
    log.info(
        json.dumps(
            {
                "event": "snapshot",
                "snapshot_id": snapshot.id,
                "cluster_id": snapshot.cluster_id,
                "scheduled_time": snapshot.scheduled_time.isoformat(),
                "status": snapshot.status.value,
                "attempt": snapshot.attempts,
                "storage_location": snapshot.storage_location.value,
                "size_bytes": snapshot.size_bytes,
                **extra,
            },
            default=str,
        )
    )


async def apply_retention(cluster_ids: Iterable[str], stores: Stores) -> int:
    """Delete what falls out of each cluster's last 8 completed: rows, then bytes."""
    ids = list(cluster_ids)
    by_cluster: dict[str, list[Snapshot]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        for row in await Snapshot.filter(cluster_id__in=ids[start : start + BATCH]):
            by_cluster[row.cluster_id].append(row)
    # A snapshot a restore is about to read stays until the restore is done.
    restoring = set(
        await BackupJob.filter(
            delivery_type=DeliveryType.RESTORE, active_target_cluster_id__isnull=False
        ).values_list("snapshot_id", flat=True)
    )
    doomed: list[Snapshot] = []
    for rows in by_cluster.values():
        refs = [
            retention.SnapshotRef(
                id=r.id,
                scheduled_time=r.scheduled_time,
                completed=r.status is SnapshotStatus.COMPLETED,
                finished=r.status in (SnapshotStatus.COMPLETED, SnapshotStatus.FAILED),
            )
            for r in rows
        ]
        prune = set(retention.to_prune(refs)) - restoring
        doomed += [r for r in rows if r.id in prune]
    for start in range(0, len(doomed), BATCH):
        await Snapshot.filter(id__in=[r.id for r in doomed[start : start + BATCH]]).delete()
    for row in doomed:
        if row.storage_key:
            await stores[row.storage_location].delete(row.storage_key)
        metrics.SNAPSHOTS_PRUNED.labels(row.storage_location.value).inc()
    return len(doomed)
