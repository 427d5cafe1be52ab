"""Reading restore and download jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphql_api.models import BackupJob, DeliveryType, JobStatus, Project, Snapshot
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
from graphql_api.services.paging import Eq, Listing, Order
from graphql_api.services.validation import require_id

NEWEST_FIRST = Order(("-created_at", "-id"))


def jobs_of_projects(kind: DeliveryType) -> Listing[BackupJob]:
    """Each project's jobs: of its snapshots, or restoring into its clusters."""
    return Listing(
        BackupJob,
        NEWEST_FIRST,
        parents=("project_id", "target_project_id"),
        where=(Eq("delivery_type", kind),),
    )


def jobs_of_clusters(kind: DeliveryType | None) -> Listing[BackupJob]:
    """Each cluster's jobs (of one kind, or both): of its snapshots, or
    restoring into it. Keyed by (cluster id, project id): a row naming the
    cluster under another project is not the cluster's."""
    return Listing(
        BackupJob,
        NEWEST_FIRST,
        parents=(("cluster_id", "project_id"), ("target_cluster_id", "target_project_id")),
        where=() if kind is None else (Eq("delivery_type", kind),),
    )


def belongs_to_cluster(job: BackupJob, cluster_id: str, project_id: str) -> bool:
    """Whether the job is in that cluster's list (the rule of jobs_of_clusters)."""
    return (job.cluster_id, job.project_id) == (cluster_id, project_id) or (
        job.target_cluster_id,
        job.target_project_id,
    ) == (cluster_id, project_id)


async def create_job(
    kind: DeliveryType,
    status: JobStatus,
    snapshot: Snapshot,
    principal: Principal,
    now: datetime,
    **details: Any,
) -> BackupJob:
    """A job of ``snapshot`` requested by the caller (with the key it came with:
    a download link dies with that key)."""
    return await BackupJob.create(
        delivery_type=kind,
        status=status,
        project_id=snapshot.project_id,
        cluster_id=snapshot.cluster_id,
        snapshot_id=snapshot.id,
        snapshot_finished_at=snapshot.finish_time,
        requested_by_id=principal.user.id,
        requested_by_key_id=principal.api_key_id,
        created_at=now,
        **details,
    )


async def get_job(principal: Principal, job_id: str) -> BackupJob | None:
    """Visible to anyone who can read its source or its target project."""
    require_id(job_id, "Job id")
    job = await BackupJob.get_or_none(id=job_id)
    if job is None:
        return None
    ids = [job.project_id] + ([job.target_project_id] if job.target_project_id else [])
    visible = await Project.filter(authorization.readable(principal), id__in=ids).exists()
    return job if visible else None


async def find_job(
    principal: Principal, job_id: str, kind: DeliveryType
) -> tuple[BackupJob | None, Project | None]:
    """A job of this kind and its source project, both None when the caller
    cannot read that project (an unknown id answers alike)."""
    require_id(job_id, "Job id")
    job = await BackupJob.get_or_none(id=job_id, delivery_type=kind)
    project = None if job is None else await authorization.find_project(principal, job.project_id)
    return (job, project) if project is not None else (None, None)
