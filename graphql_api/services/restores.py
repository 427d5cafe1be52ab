"""Restore jobs: requested by Project Owners, run by the scheduler's workers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from graphql_api.domain.clusters import ClusterState
from graphql_api.domain.refusals import Refusal
from graphql_api.domain.restores import RestoreRefusal, check_restore
from graphql_api.domain.roles import Action
from graphql_api.fleet.base import ArchiveInfo, Fleet
from graphql_api.models import (
    BackupJob,
    Cluster,
    DeliveryType,
    JobStatus,
    Project,
    Snapshot,
    SnapshotStatus,
)
from graphql_api.services import authorization, leases
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize
from graphql_api.services.clusters import address_of, get_cluster
from graphql_api.services.failures import failure_reason
from graphql_api.services.jobs import create_job
from graphql_api.services.leases import RetryPolicy
from graphql_api.services.snapshots import find_snapshot
from graphql_api.services.validation import require_id
from graphql_api.storage import Stores

log = logging.getLogger(__name__)


@dataclass
class RestoreRequest:
    job: BackupJob | None = None
    refusals: list[Refusal] = field(default_factory=list)


async def request_restore(
    principal: Principal,
    *,
    snapshot_id: str,
    target_project_id: str,
    target_cluster_name: str,
    confirm_target_cluster_name: str,
    now: datetime,
) -> RestoreRequest:
    """Queue a restore, or say every rule it breaks (audited either way)."""
    snapshot, source = await find_snapshot(principal, snapshot_id)
    target_project = None
    if source is not None:
        require_id(target_project_id, "Target project id")
        target_project = await authorization.find_project(principal, target_project_id)
    scopes = (
        Scope(source, f"No snapshot {snapshot_id} in your projects."),
        Scope(
            target_project,
            f"No project {target_project_id} among your projects.",
            prefix="On the target project: ",
        ),
    )
    subject = f"{snapshot_id} -> {target_project_id}/{target_cluster_name}"
    async with authorize(
        principal, Action.RESTORE_SNAPSHOT, *scopes, subject=subject, now=now
    ) as audit:
        assert snapshot is not None and target_project is not None
        async with in_transaction():  # the target's row lock: see get_cluster
            target = await get_cluster(target_project, target_cluster_name, lock=True)
            refusals = _refusals(snapshot, target_project, target, target_cluster_name,
                                 confirm_target_cluster_name)  # fmt: skip
            job = None
            if not refusals and target is not None:
                job = await _queue(principal, snapshot, target, now)
                if job is None:  # one restore at a time
                    refusals.append(
                        Refusal(
                            RestoreRefusal.RESTORE_IN_PROGRESS,
                            f"Cluster {target.name!r} already has a restore queued or "
                            "running; wait for it to finish.",
                            "targetClusterName",
                        )
                    )
        if refusals:
            audit.refused(refusals[0].code.value, " ".join(r.message for r in refusals))
        audit.job_id = job.id if job else None
    return RestoreRequest(job=job, refusals=refusals)


def _refusals(
    snapshot: Snapshot,
    target_project: Project,
    target: Cluster | None,
    target_cluster_name: str,
    confirmation: str,
) -> list[Refusal]:
    """Every rule the request breaks, so the caller can fix them all at once."""
    refusals: list[Refusal] = []
    if snapshot.status is not SnapshotStatus.COMPLETED:
        refusals.append(
            Refusal(
                RestoreRefusal.SNAPSHOT_NOT_COMPLETED,
                f"Snapshot {snapshot.id} is {snapshot.status.value}; only COMPLETED snapshots "
                "can be restored.",
                "snapshotId",
            )
        )
    if target is None:
        refusals.append(
            Refusal(
                RestoreRefusal.TARGET_NOT_FOUND,
                f"Project {target_project.name!r} has no cluster named {target_cluster_name!r}.",
                "targetClusterName",
            )
        )
    else:
        refusals += check_restore(
            target_type=target.cluster_type,
            target_name=target.name,
            target_version=target.mongodb_version,
            snapshot_version=snapshot.mongodb_version,
            confirmation=confirmation,
        )
    return refusals


async def _queue(
    principal: Principal, snapshot: Snapshot, target: Cluster, now: datetime
) -> BackupJob | None:
    """The queued job, or None when the target already has a restore queued or
    running (checked first: under the target's lock, so no insert trips the
    unique active-target key, which would abort PostgreSQL's transaction)."""
    if await BackupJob.exists(active_target_cluster_id=target.id):
        return None
    try:
        return await create_job(
            DeliveryType.RESTORE,
            JobStatus.QUEUED,
            snapshot,
            principal,
            now,
            target_project_id=target.project_id,
            target_cluster_id=target.id,
            target_cluster_name=target.name,
            active_target_cluster_id=target.id,
        )
    except IntegrityError:
        return None


def _claimable(now: datetime) -> Q:
    base = Q(delivery_type=DeliveryType.RESTORE)
    return base & (
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_expires_at__lte=now)
    )


async def claim_restores(
    now: datetime, worker_id: str, policy: RetryPolicy, limit: int = 50
) -> list[BackupJob]:
    return await leases.claim(
        BackupJob,
        _claimable(now),
        order=("created_at", "id"),
        worker_id=worker_id,
        now=now,
        lease=policy.lease,
        limit=limit,
        status=JobStatus.RUNNING,
    )


async def release_restores(token: str) -> int:
    """Back to the queue: a worker shutting down gives up its running restores."""
    return await leases.release(BackupJob, token, status=JobStatus.QUEUED)


async def run_restore(
    job: BackupJob,
    fleet: Fleet,
    stores: Stores,
    policy: RetryPolicy,
    clock: Callable[[], datetime],
) -> BackupJob:
    """Stream the snapshot's archive into the target; the target shows RESTORING."""
    token = job.lease_owner
    target = await Cluster.get_or_none(id=job.target_cluster_id)
    snapshot = await Snapshot.get_or_none(id=job.snapshot_id)
    if target is None:
        return await _finish(job, token, clock(), "The target cluster no longer exists.")
    if snapshot is None or snapshot.storage_key is None:
        return await _finish(
            job, token, clock(), "The snapshot was deleted before the restore ran."
        )
    if job.attempts > policy.max_attempts:
        return await _finish(job, token, clock(), "Interrupted too many times.", target)
    await Cluster.filter(id=target.id).update(state=ClusterState.RESTORING)

    size = snapshot.size_bytes or 0

    async def progress(done_bytes: int) -> None:
        percent = 99 * done_bytes // size if size else 0
        await BackupJob.filter(id=job.id, lease_owner=token).update(
            progress_percent=max(0, min(99, percent))
        )

    chunks = stores[snapshot.storage_location].get(snapshot.storage_key)
    expected = ArchiveInfo(snapshot.id, snapshot.sha256 or "", size)
    try:
        await fleet.restore(address_of(target), chunks, expected, progress)
    except Exception as exc:
        reason = failure_reason("The restore", exc, log, job=job.id)
        return await _finish(job, token, clock(), reason, target)
    return await _finish(job, token, clock(), None, target)


async def _finish(
    job: BackupJob,
    token: str | None,
    now: datetime,
    failure: str | None,
    target: Cluster | None = None,
) -> BackupJob:
    changes: dict[str, object] = {
        "status": JobStatus.FAILED if failure else JobStatus.COMPLETED,
        "finished_at": now,
        "failure_reason": failure,
        "active_target_cluster_id": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if failure is None:
        changes["progress_percent"] = 100
    if await BackupJob.filter(id=job.id, lease_owner=token).update(**changes):
        job.update_from_dict(changes)
        if target is not None:
            await Cluster.filter(id=target.id).update(state=ClusterState.IDLE)
    return job
