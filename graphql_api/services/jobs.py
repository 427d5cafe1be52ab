"""Reading restore and download jobs."""

from __future__ import annotations

from tortoise.expressions import Q

from graphql_api.models import BackupJob, DeliveryType, Project
from graphql_api.services.access import Principal
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query
from graphql_api.services.projects import require_id

NEWEST_FIRST = Order(("-created_at", "-id"))


async def list_jobs(
    kind: DeliveryType,
    page: PageRequest,
    *,
    project_id: str,
    cluster_id: str | None = None,
) -> Page[BackupJob]:
    """A project's jobs (of its snapshots, or restoring into its clusters)."""
    query = BackupJob.filter(delivery_type=kind).filter(
        Q(project_id=project_id) | Q(target_project_id=project_id)
    )
    if cluster_id is not None:
        query = query.filter(Q(cluster_id=cluster_id) | Q(target_cluster_id=cluster_id))
    return await paginate_query(query, NEWEST_FIRST, page)


async def get_job(principal: Principal, job_id: str) -> BackupJob | None:
    """Visible to anyone who can read its source or its target project."""
    require_id(job_id, "Job id")
    job = await BackupJob.get_or_none(id=job_id)
    if job is None:
        return None
    ids = [job.project_id] + ([job.target_project_id] if job.target_project_id else [])
    readable = await Project.filter(principal.readable_projects(), id__in=ids).exists()
    return job if readable else None
