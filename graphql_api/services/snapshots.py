"""Reading snapshots: per cluster, per project ("All Daily Snapshots"), by id."""

from __future__ import annotations

from graphql_api.domain.names import could_be_stored
from graphql_api.models import Cluster, Project, Snapshot, SnapshotStatus
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
from graphql_api.services.paging import Condition, Eq, In, InRowsOf, Listing, Order
from graphql_api.services.validation import require_id

NEWEST_FIRST = Order(("-scheduled_time", "-id"))


def snapshots_of_clusters(status: SnapshotStatus | None = None) -> Listing[Snapshot]:
    """Each cluster's snapshots, newest first (its Backup tab)."""
    where = () if status is None else (Eq("status", status),)
    return Listing(Snapshot, NEWEST_FIRST, parents=("cluster_id",), where=where)


def snapshots_of_projects(
    cluster_name: str | None = None, status: SnapshotStatus | None = None
) -> Listing[Snapshot]:
    """Each project's "All Daily Snapshots", newest first, of one cluster
    (by name) or status if given."""
    where: list[Condition] = [] if status is None else [Eq("status", status)]
    if cluster_name is not None:
        named = (Eq("name", cluster_name),) if could_be_stored(cluster_name) else ()
        where.append(InRowsOf("cluster_id", Cluster, named) if named else In("cluster_id", ()))
    return Listing(Snapshot, NEWEST_FIRST, parents=("project_id",), where=tuple(where))


async def get_snapshot(principal: Principal, snapshot_id: str) -> Snapshot | None:
    """The snapshot, or None when missing or in a project the caller may not read."""
    return (await find_snapshot(principal, snapshot_id))[0]


async def find_snapshot(
    principal: Principal, snapshot_id: str
) -> tuple[Snapshot | None, Project | None]:
    """The snapshot and its project, both None when the caller cannot read
    that project (an unknown id answers alike)."""
    require_id(snapshot_id, "Snapshot id")
    snapshot = await Snapshot.get_or_none(id=snapshot_id)
    if snapshot is None:
        return None, None
    project = await authorization.find_project(principal, snapshot.project_id)
    return (snapshot, project) if project is not None else (None, None)
