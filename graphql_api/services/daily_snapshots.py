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
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from tortoise.expressions import Q, RawSQL
from tortoise.transactions import in_transaction

from graphql_api import metrics
from graphql_api.domain import attempts, retention, schedule
from graphql_api.domain.clusters import ClusterNodes, ClusterTier, pick_snapshot_source
from graphql_api.domain.locations import StorageLocation, storage_location_for_region
from graphql_api.fleet.base import ClusterAddress, Fleet
from graphql_api.models import BackupJob, Cluster, DeliveryType, Snapshot, SnapshotStatus
from graphql_api.services import leases
from graphql_api.services.failures import failure_reason
from graphql_api.services.leases import RetryPolicy
from graphql_api.storage import Stores

log = logging.getLogger("graphql_api.snapshots")
BATCH = 500


def snapshot_key(snapshot: Snapshot, attempt: int) -> str:
    """Each attempt writes its own object, so a late loser never clobbers a winner."""
    return f"{snapshot.project_id}/{snapshot.cluster_id}/{snapshot.id}-{attempt}.archive.gz"


async def schedule_due_snapshots(now: datetime, batch_size: int = BATCH) -> tuple[int, int]:
    """Queue one snapshot per due Flex cluster for its latest slot; (queued, missed).

    Batch by batch, each under row locks (SKIP LOCKED on PostgreSQL; SQLite
    has one writer at a time), so concurrent schedulers split the due
    clusters instead of repeating them, and each reports only the rows it
    inserted and the missed slots it counted. Memory is one batch.
    """
    queued = missed = 0
    while True:
        async with in_transaction():
            due = await (
                Cluster.filter(
                    next_snapshot_at__lte=now, backup_enabled=True, tier=ClusterTier.FLEX
                )
                .order_by("next_snapshot_at", "id")
                .limit(batch_size)
                .select_for_update(skip_locked=True)
            )
            if due:
                inserted, skipped = await _queue(due, now)
                queued, missed = queued + inserted, missed + skipped
        if len(due) < batch_size:
            return queued, missed


async def _queue(due: list[Cluster], now: datetime) -> tuple[int, int]:
    """Insert the batch's snapshot rows and move each cluster's next slot on.

    A row that already exists (the unique key) is left alone and not counted:
    the rows inserted are read back by their primary keys, a lookup that stays
    an index probe per row whatever the table's size or statistics (a search by
    cluster ids scans the table when PostgreSQL has no statistics for it)."""
    rows: list[Snapshot] = []
    slots: dict[str, tuple[schedule.DueSlot, StorageLocation]] = {}
    for cluster in due:
        slot = schedule.due_slot(cluster.created_at, now, _last_taken(cluster))
        cluster.next_snapshot_at = schedule.next_slot(cluster.created_at, now)
        if slot is None:
            continue
        location = storage_location_for_region(cluster.cloud_provider, cluster.region)
        slots[cluster.id] = (slot, location)
        rows.append(
            Snapshot(
                cluster_id=cluster.id,
                project_id=cluster.project_id,
                scheduled_time=slot.scheduled_time,
                status=SnapshotStatus.QUEUED,
                mongodb_version=cluster.mongodb_version,
                storage_location=location,
            )
        )
    inserted: list[str] = []
    if rows:
        await Snapshot.bulk_create(rows, ignore_conflicts=True)
        ids = [r.id for r in rows]
        inserted = [
            str(c) for c in await Snapshot.filter(id__in=ids).values_list("cluster_id", flat=True)
        ]
    await Cluster.bulk_update(due, fields=["next_snapshot_at"])
    missed = 0
    for cluster_id in inserted:
        slot, location = slots[cluster_id]
        if slot.missed:
            metrics.MISSED_SLOTS.labels(location.value).inc(slot.missed)
            missed += slot.missed
    return len(inserted), missed


def _last_taken(cluster: Cluster) -> datetime | None:
    """The slot before ``next_snapshot_at`` (the one queued last), if any."""
    expected = cluster.next_snapshot_at
    if expected is None or expected <= schedule.first_slot(cluster.created_at):
        return None
    return expected - schedule.SNAPSHOT_INTERVAL


# The rows of idx_snapshots_waiting (migration 0006), as a literal: a bound
# parameter cannot show the planner that a query implies the index's WHERE.
_IN_WAITING_INDEX = Q(status__in=RawSQL("('QUEUED','RUNNING')"))


def _claimable(now: datetime) -> Q:
    """Waiting or abandoned work whose slot's day is still open. Read in
    claim order off idx_snapshots_waiting: a claim costs its batch, not the queue."""
    waiting = Q(status=SnapshotStatus.QUEUED) & (
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )
    stale = Q(status=SnapshotStatus.RUNNING, lease_expires_at__lte=now)
    day_open = Q(scheduled_time__gt=now - schedule.SNAPSHOT_INTERVAL)
    return _IN_WAITING_INDEX & (waiting | stale) & day_open


async def claim_snapshots(
    now: datetime, worker_id: str, policy: RetryPolicy, limit: int = BATCH
) -> list[Snapshot]:
    return await leases.claim(
        Snapshot,
        _claimable(now),
        order=("scheduled_time", "id"),
        worker_id=worker_id,
        now=now,
        lease=policy.lease,
        limit=limit,
        status=SnapshotStatus.RUNNING,
        start_time=now,
    )


async def release_snapshots(token: str) -> int:
    """Back to the queue: a worker shutting down gives up its running attempts.
    The next attempt removes whatever bytes this one left."""
    return await leases.release(Snapshot, token, status=SnapshotStatus.QUEUED)


def _given_up(now: datetime, policy: RetryPolicy) -> Q:
    """Work no attempt will take any more: its day ended while it waited or ran,
    or its workers died mid-run too often. Only waiting rows (the index)."""
    day_over = Q(scheduled_time__lte=now - schedule.SNAPSHOT_INTERVAL)
    stale = Q(status=SnapshotStatus.RUNNING, lease_expires_at__lte=now)
    return _IN_WAITING_INDEX & (
        (Q(status=SnapshotStatus.QUEUED) & day_over)
        | (stale & (day_over | Q(attempts__gte=policy.max_attempts)))
    )


async def give_up(
    now: datetime, policy: RetryPolicy, stores: Stores, batch_size: int = BATCH
) -> tuple[int, int]:
    """Fail what no attempt will take (with why), drop an interrupted attempt's
    bytes, and prune each batch's clusters; (how many failed, how many pruned).

    Batch by batch under row locks, like the queueing: concurrent schedulers
    split the work and each counts only the rows it failed."""
    failed = pruned = 0
    gone = _given_up(now, policy)
    while True:
        async with in_transaction():
            rows = await (
                Snapshot.filter(gone)
                .order_by("scheduled_time", "id")  # the index's order: no sort
                .limit(batch_size)
                .select_for_update(skip_locked=True)
            )
            by_reason: dict[str, list[Snapshot]] = defaultdict(list)
            for snapshot in rows:
                by_reason[_final_reason(snapshot, now)].append(snapshot)
            for reason, group in by_reason.items():
                await Snapshot.filter(gone, id__in=[s.id for s in group]).update(
                    status=SnapshotStatus.FAILED,
                    finish_time=now,
                    failure_reason=reason,
                    lease_owner=None,
                    lease_expires_at=None,
                )
        for snapshot in rows:
            if snapshot.status is SnapshotStatus.RUNNING:
                await stores[snapshot.storage_location].delete(
                    snapshot_key(snapshot, snapshot.attempts)
                )
            metrics.SNAPSHOTS_FAILED.labels(snapshot.storage_location.value, "true").inc()
        if rows:  # a failed slot moves the kept snapshots' expirations
            pruned += await apply_retention({s.cluster_id for s in rows}, stores)
        failed += len(rows)
        if len(rows) < batch_size:
            return failed, pruned


def _final_reason(snapshot: Snapshot, now: datetime) -> str:
    running = snapshot.status is SnapshotStatus.RUNNING
    if not attempts.day_is_open(snapshot.scheduled_time, now):
        return attempts.day_ended_reason(
            snapshot.failure_reason, attempts=snapshot.attempts, was_running=running
        )
    return (
        f"Abandoned after {snapshot.attempts} interrupted attempt(s): the worker "
        "stopped mid-snapshot each time and its lease expired."
    )


async def take_snapshot(
    snapshot: Snapshot,
    cluster: ClusterAddress,
    nodes: ClusterNodes,
    fleet: Fleet,
    stores: Stores,
    policy: RetryPolicy,
    clock: Callable[[], datetime],
) -> Snapshot:
    """Dump the cluster from its best secondary into its location's store."""
    token, store = snapshot.lease_owner, stores[snapshot.storage_location]
    location = snapshot.storage_location.value
    if snapshot.attempts > 1:  # bytes the interrupted attempt before may have left
        await store.delete(snapshot_key(snapshot, snapshot.attempts - 1))
    if nodes.unreachable is not None:
        cause = f"The cluster could not be reached: {nodes.unreachable}"
        return await _attempt_failed(snapshot, cause, policy, clock())
    source = pick_snapshot_source(nodes.nodes)
    if source is None:
        cause = "No healthy secondary: snapshots are never read from the primary."
        return await _attempt_failed(snapshot, cause, policy, clock())
    key = snapshot_key(snapshot, snapshot.attempts)
    started = clock()
    try:
        stored = await store.put(key, fleet.dump(cluster, source, snapshot.scheduled_time))
    except Exception as exc:
        await store.delete(key)
        reason = failure_reason(
            "The dump or its upload", exc, log, snapshot=snapshot.id, attempt=snapshot.attempts
        )
        return await _attempt_failed(snapshot, reason, policy, clock())
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
    snapshot: Snapshot, cause: str, policy: RetryPolicy, now: datetime
) -> Snapshot:
    then = attempts.after_failure(
        cause,
        attempts=snapshot.attempts,
        now=now,
        scheduled_time=snapshot.scheduled_time,
        max_attempts=policy.max_attempts,
        retry_delay=policy.retry_delay,
    )
    changes: dict[str, object] = {"failure_reason": then.reason, "lease_owner": None}
    if then.retry_at is None:
        changes |= {"status": SnapshotStatus.FAILED, "finish_time": now, "lease_expires_at": None}
    else:  # back in the queue; lease_expires_at doubles as "not before"
        changes |= {"status": SnapshotStatus.QUEUED, "lease_expires_at": then.retry_at}
    if await Snapshot.filter(id=snapshot.id, lease_owner=snapshot.lease_owner).update(**changes):
        snapshot.update_from_dict(changes)
        final = "true" if then.retry_at is None else "false"
        metrics.SNAPSHOTS_FAILED.labels(snapshot.storage_location.value, final).inc()
        _log(snapshot, reason=then.reason)
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


async def apply_retention(cluster_ids: Collection[str], stores: Stores) -> int:
    """Delete what falls out of each cluster's last 8 completed (rows, then
    bytes), and bring the kept snapshots' expirations up to date.

    The scheduler calls it once per batch it handled, so it reads at most a
    batch of clusters' snapshots (8 kept + the day's) at a time."""
    ids = list(cluster_ids)
    pruned = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        restoring = await _being_restored(chunk)
        by_cluster: dict[str, list[Snapshot]] = defaultdict(list)
        # Clusters whose schedule has ended keep their snapshots to their
        # expirations instead (prune_ended): "the last 8" no longer moves.
        live = Snapshot.filter(
            cluster_id__in=chunk,
            cluster__deleted_at__isnull=True,
            cluster__tier=ClusterTier.FLEX,
        )
        for row in await live:
            by_cluster[row.cluster_id].append(row)
        doomed: list[Snapshot] = []
        for rows in by_cluster.values():
            refs = [_ref(r) for r in rows]
            prune = set(retention.to_prune(refs)) - restoring
            doomed += [r for r in rows if r.id in prune]
            kept = [ref for ref in refs if ref.id not in prune]
            await _update_expirations(rows, retention.expirations(kept))
        pruned += await _delete(doomed, stores)
    return pruned


async def _being_restored(cluster_ids: list[str]) -> set[str]:
    """Snapshots of these clusters a restore is about to read: each stays until
    the restore is done."""
    found = await BackupJob.filter(
        delivery_type=DeliveryType.RESTORE,
        active_target_cluster_id__isnull=False,
        cluster_id__in=cluster_ids,
    ).values_list("snapshot_id", flat=True)
    return {str(i) for i in found}


# --- Ended schedules (issue 12): a cluster deleted or upgraded to M10+. ---

_IN_FLIGHT = (SnapshotStatus.PENDING, SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)


async def end_schedule(cluster_id: str, now: datetime, reason: str) -> None:
    """FAIL the cluster's snapshots in flight with ``reason`` (a worker taking
    one loses its lease, so its result is not recorded and its bytes go), and
    note when the first kept snapshot expires, for ``prune_ended``."""
    await Snapshot.filter(cluster_id=cluster_id, status__in=_IN_FLIGHT).update(
        status=SnapshotStatus.FAILED,
        finish_time=now,
        failure_reason=reason,
        lease_owner=None,
        lease_expires_at=None,
    )
    rows = await Snapshot.filter(cluster_id=cluster_id)
    expiry = retention.next_ended_expiry([_ref(r) for r in rows], now)
    await Cluster.filter(id=cluster_id).update(next_expiry_at=expiry)


async def prune_ended(now: datetime, stores: Stores) -> int:
    """Delete what clusters whose schedule ended no longer keep: each COMPLETED
    snapshot at the expiration it showed when the schedule ended (it never
    moves after), and FAILED ones older than the oldest COMPLETED one left.
    One indexed query when nothing is due (``clusters.next_expiry_at``)."""
    pruned = 0
    while ids := list(
        await Cluster.filter(next_expiry_at__lte=now)
        .order_by("next_expiry_at", "id")
        .limit(BATCH)
        .values_list("id", flat=True)
    ):
        by_cluster: dict[str, list[Snapshot]] = {str(i): [] for i in ids}
        restoring = await _being_restored(list(by_cluster))
        for row in await Snapshot.filter(cluster_id__in=list(by_cluster)):
            by_cluster[row.cluster_id].append(row)
        doomed: list[Snapshot] = []
        for cluster_id, rows in by_cluster.items():
            refs = [_ref(r) for r in rows]
            prune = set(retention.to_prune_ended(refs, now)) - restoring
            doomed += [r for r in rows if r.id in prune]
            left = [ref for ref in refs if ref.id not in prune]
            expiry = retention.next_ended_expiry(left, now)
            if expiry is not None and expiry <= now:
                # Kept past its expiration (a restore is reading it): look again next tick.
                expiry = now + timedelta(seconds=1)
            await Cluster.filter(id=cluster_id).update(next_expiry_at=expiry)
        pruned += await _delete(doomed, stores)
    return pruned


async def _delete(doomed: list[Snapshot], stores: Stores) -> int:
    """Rows first, then their bytes (a crash between leaves bytes, never a row
    pointing at nothing)."""
    if doomed:
        await Snapshot.filter(id__in=[r.id for r in doomed]).delete()
    for row in doomed:
        if row.storage_key:
            await stores[row.storage_location].delete(row.storage_key)
        metrics.SNAPSHOTS_PRUNED.labels(row.storage_location.value).inc()
    return len(doomed)


def _ref(row: Snapshot) -> retention.SnapshotRef:
    return retention.SnapshotRef(
        id=row.id,
        expiration=row.expiration,
        scheduled_time=row.scheduled_time,
        completed=row.status is SnapshotStatus.COMPLETED,
        finished=row.status in (SnapshotStatus.COMPLETED, SnapshotStatus.FAILED),
        # a queued retry's lease_expires_at is its "not before"
        next_attempt=row.lease_expires_at if row.status is SnapshotStatus.QUEUED else None,
    )


async def _update_expirations(rows: list[Snapshot], expected: dict[str, datetime]) -> None:
    """Write only what changed: completing a slot changes no older expiration;
    a failed slot moves each kept one a day."""
    for row in rows:
        when = expected.get(row.id)
        if when is not None and row.expiration != when:
            await Snapshot.filter(id=row.id).update(expiration=when)
