"""Clusters: creating them (CLI, demo) and reading them for a project."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.exceptions import IntegrityError

from graphql_api.domain import schedule
from graphql_api.domain.clusters import ClusterTier, ClusterType
from graphql_api.domain.names import MAX_NAME_LENGTH, could_be_stored
from graphql_api.domain.regions import CloudProvider, UnknownRegionError, find_region
from graphql_api.fleet.base import ClusterAddress
from graphql_api.models import Cluster, Project
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
from graphql_api.services.errors import ConflictError, InvalidInputError
from graphql_api.services.paging import Eq, Listing, NotEq, Order
from graphql_api.services.validation import require_id

CLUSTER_ORDER = Order(("name", "id"))


async def create_cluster(
    project: Project,
    name: str,
    *,
    tier: ClusterTier,
    provider: CloudProvider,
    region: str,
    mongodb_version: str = "8.0",
    cluster_type: ClusterType = ClusterType.REPLICASET,
    backup_enabled: bool = True,
    created_at: datetime,
) -> Cluster:
    """A cluster, scheduled for its first snapshot a day after ``created_at``."""
    name = name.strip()
    if not could_be_stored(name):
        raise InvalidInputError(
            f"Cluster name must be 1 to {MAX_NAME_LENGTH} characters, none of them NUL."
        )
    try:
        find_region(provider, region)
    except UnknownRegionError as exc:
        raise InvalidInputError(f"Unknown region: {exc}.", code="UNKNOWN_REGION") from None
    if tier is ClusterTier.FLEX and cluster_type is ClusterType.SHARDED:
        raise InvalidInputError("Flex clusters are always replica sets.")
    try:
        cluster = await Cluster.create(
            project=project,
            name=name,
            tier=tier,
            cluster_type=cluster_type,
            cloud_provider=provider,
            region=region,
            mongodb_version=mongodb_version,
            backup_enabled=backup_enabled,
            created_at=created_at,
            next_snapshot_at=(
                schedule.first_slot(created_at)
                if backup_enabled and tier is ClusterTier.FLEX
                else None
            ),
        )
    except IntegrityError:
        raise ConflictError(f"Project already has a cluster named {name!r}.") from None
    return cluster


def address_of(cluster: Cluster) -> ClusterAddress:
    """What the data plane needs to reach the cluster."""
    return ClusterAddress(id=cluster.id, name=cluster.name, mongodb_version=cluster.mongodb_version)


def clusters_of_projects(tier: ClusterTier | None = None) -> Listing[Cluster]:
    """Each project's clusters by name, of one tier if given."""
    where = () if tier is None else (Eq("tier", tier),)
    return Listing(Cluster, CLUSTER_ORDER, parents=("project_id",), where=where)


def cloud_backup_clusters_of_projects() -> Listing[Cluster]:
    """Each project's M10+ clusters with Cloud Backup enabled."""
    where = (Eq("backup_enabled", True), NotEq("tier", ClusterTier.FLEX))
    return Listing(Cluster, CLUSTER_ORDER, parents=("project_id",), where=where)


async def clusters_named(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Cluster]:
    """Clusters by (project id, name), in one statement."""
    wanted = {(p, n) for p, n in keys if could_be_stored(n)}
    if not wanted:
        return {}
    rows = await Cluster.filter(
        project_id__in={p for p, _ in wanted}, name__in={n for _, n in wanted}
    )
    return {(c.project_id, c.name): c for c in rows if (c.project_id, c.name) in wanted}


async def find_cluster(
    principal: Principal, project_id: str, name: str
) -> tuple[Project | None, Cluster | None]:
    """The caller's project and its cluster by name, or None for either: one
    statement when the cluster is there (a Backup tab), two when not."""
    project_id = require_id(project_id, "Project id")
    if could_be_stored(name):
        found = (
            await Cluster.filter(
                authorization.readable_through(principal, "project"),
                project_id=project_id,
                name=name,
            )
            .select_related("project")
            .first()
        )
        if found is not None:
            return found.project, found
    return await authorization.find_project(principal, project_id), None


async def get_cluster(project: Project, name: str) -> Cluster | None:
    if not could_be_stored(name):
        return None
    return await Cluster.get_or_none(project_id=project.id, name=name)
