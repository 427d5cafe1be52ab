"""Clusters: creating them (CLI, demo) and reading them for a project."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError

from graphql_api.domain import schedule
from graphql_api.domain.clusters import ClusterTier, ClusterType
from graphql_api.domain.names import MAX_NAME_LENGTH, could_be_stored
from graphql_api.domain.regions import CloudProvider, UnknownRegionError, find_region
from graphql_api.fleet.base import ClusterAddress
from graphql_api.models import Cluster, Project
from graphql_api.services.errors import ConflictError, InvalidInputError
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query

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


async def list_clusters(
    project: Project,
    page: PageRequest,
    *,
    tier: ClusterTier | None = None,
    dedicated_with_backup: bool = False,
) -> Page[Cluster]:
    query = Cluster.filter(project_id=project.id)
    if tier is not None:
        query = query.filter(tier=tier)
    if dedicated_with_backup:
        query = query.filter(backup_enabled=True).exclude(tier=ClusterTier.FLEX)
    return await paginate_query(query, CLUSTER_ORDER, page)


async def get_cluster(project: Project, name: str) -> Cluster | None:
    if not could_be_stored(name):
        return None
    return await Cluster.get_or_none(project_id=project.id, name=name)
