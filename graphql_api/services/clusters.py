"""Clusters: creating them (CLI, demo) and reading them for a project."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from graphql_api.domain import schedule
from graphql_api.domain.clusters import ClusterTier, ClusterType, NodeRole
from graphql_api.domain.regions import CloudProvider, UnknownRegionError, find_region
from graphql_api.models import Cluster, ClusterNode, Project
from graphql_api.services.errors import ConflictError, InvalidInputError
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query

CLUSTER_ORDER = Order(("name", "id"))
SECONDARIES = 2


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
    """A cluster with a primary and two secondaries, scheduled for its first snapshot."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInputError("Cluster name must be 1 to 64 characters.")
    try:
        find_region(provider, region)
    except UnknownRegionError as exc:
        raise InvalidInputError(f"Unknown region: {exc}.", code="UNKNOWN_REGION") from None
    if tier is ClusterTier.FLEX and cluster_type is ClusterType.SHARDED:
        raise InvalidInputError("Flex clusters are always replica sets.")
    try:
        async with in_transaction():
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
            await ClusterNode.bulk_create(
                [
                    ClusterNode(
                        cluster=cluster,
                        hostname=_hostname(cluster, index),
                        role=NodeRole.PRIMARY if index == 0 else NodeRole.SECONDARY,
                        replication_lag_ms=0 if index == 0 else 100 * index,
                    )
                    for index in range(1 + SECONDARIES)
                ]
            )
    except IntegrityError:
        raise ConflictError(f"Project already has a cluster named {name!r}.") from None
    return cluster


def _hostname(cluster: Cluster, index: int) -> str:
    return f"{cluster.name.lower()}-shard-00-{index:02d}.{cluster.id[-6:]}.mongodb.example"


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
    return await Cluster.get_or_none(project_id=project.id, name=name)


async def set_node_health(
    cluster: Cluster,
    *,
    healthy: bool,
    hostname: str | None = None,
    role: NodeRole | None = None,
    replication_lag_ms: int | None = None,
) -> int:
    """Change simulated node health (CLI and tests); returns how many nodes changed."""
    query = ClusterNode.filter(cluster_id=cluster.id)
    if hostname is not None:
        query = query.filter(hostname=hostname)
    if role is not None:
        query = query.filter(role=role)
    changes: dict[str, object] = {"healthy": healthy}
    if replication_lag_ms is not None:
        changes["replication_lag_ms"] = replication_lag_ms
    changed = await query.update(**changes)
    if not changed:
        raise InvalidInputError(f"Cluster {cluster.name!r} has no such node.")
    return changed
