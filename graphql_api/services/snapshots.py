"""Reading snapshots: per cluster, per project ("All Daily Snapshots"), by id."""

from __future__ import annotations

from graphql_api.domain.names import could_be_stored
from graphql_api.models import Project, Snapshot, SnapshotStatus
from graphql_api.services.access import Principal
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query
from graphql_api.services.projects import require_id

NEWEST_FIRST = Order(("-scheduled_time", "-id"))


async def list_project_snapshots(
    project: Project,
    page: PageRequest,
    *,
    cluster_name: str | None = None,
    status: SnapshotStatus | None = None,
) -> Page[Snapshot]:
    query = Snapshot.filter(project_id=project.id)
    if cluster_name is not None:
        if not could_be_stored(cluster_name):
            query = query.filter(id__in=[])  # no cluster has such a name
        else:
            query = query.filter(cluster__name=cluster_name)
    if status is not None:
        query = query.filter(status=status)
    return await paginate_query(query, NEWEST_FIRST, page)


async def get_snapshot(principal: Principal, snapshot_id: str) -> Snapshot | None:
    """The snapshot, or None when missing or in a project the caller may not read."""
    require_id(snapshot_id, "Snapshot id")
    snapshot = await Snapshot.get_or_none(id=snapshot_id)
    if snapshot is None:
        return None
    project = await Project.get(id=snapshot.project_id)
    return snapshot if principal.can_read(project) else None


async def snapshots_of_clusters(cluster_ids: list[str]) -> dict[str, list[Snapshot]]:
    """Every snapshot of each cluster, newest first (retention keeps this short)."""
    by_cluster: dict[str, list[Snapshot]] = {cid: [] for cid in cluster_ids}
    for snapshot in await Snapshot.filter(cluster_id__in=cluster_ids).order_by(
        *NEWEST_FIRST.fields
    ):
        by_cluster[snapshot.cluster_id].append(snapshot)
    return by_cluster
