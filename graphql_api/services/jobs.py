"""Reading restore and download jobs."""

from __future__ import annotations

from graphql_api.models import BackupJob, DeliveryType, Project
from graphql_api.services.access import Principal
from graphql_api.services.paging import Eq, Listing, Order
from graphql_api.services.projects import require_id

NEWEST_FIRST = Order(("-created_at", "-id"))


def jobs_of_projects(kind: DeliveryType) -> Listing[BackupJob]:
    """Each project's jobs: of its snapshots, or restoring into its clusters."""
    return Listing(
        BackupJob,
        NEWEST_FIRST,
        parents=("project_id", "target_project_id"),
        where=(Eq("delivery_type", kind),),
    )


def jobs_of_clusters(kind: DeliveryType) -> Listing[BackupJob]:
    """Each cluster's jobs: of its snapshots, or restoring into it. Keyed by
    (cluster id, project id): a row naming the cluster under another project
    is not the cluster's."""
    return Listing(
        BackupJob,
        NEWEST_FIRST,
        parents=(("cluster_id", "project_id"), ("target_cluster_id", "target_project_id")),
        where=(Eq("delivery_type", kind),),
    )


async def get_job(principal: Principal, job_id: str) -> BackupJob | None:
    """Visible to anyone who can read its source or its target project."""
    require_id(job_id, "Job id")
    job = await BackupJob.get_or_none(id=job_id)
    if job is None:
        return None
    ids = [job.project_id] + ([job.target_project_id] if job.target_project_id else [])
    readable = await Project.filter(principal.readable_projects(), id__in=ids).exists()
    return job if readable else None
