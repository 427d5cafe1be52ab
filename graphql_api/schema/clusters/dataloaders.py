from __future__ import annotations

from strawberry.dataloader import DataLoader

from graphql_api.domain.clusters import ClusterNodes
from graphql_api.fleet.base import ClusterAddress, Fleet
from graphql_api.models import Cluster
from graphql_api.schema.dataloader import SharedDataLoader
from graphql_api.services.clusters import clusters_named


async def _clusters(ids: list[str]) -> list[Cluster | None]:
    found = {c.id: c for c in await Cluster.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def cluster_loader() -> DataLoader[str, Cluster | None]:
    return SharedDataLoader(_clusters)


def cluster_by_name_loader() -> DataLoader[tuple[str, str], Cluster | None]:
    """Clusters by (project id, name), names being unique per project."""

    async def load(keys: list[tuple[str, str]]) -> list[Cluster | None]:
        found = await clusters_named(keys)
        return [found.get(key) for key in keys]

    return SharedDataLoader(load)


def nodes_loader(fleet: Fleet) -> DataLoader[ClusterAddress, ClusterNodes]:
    """Clusters' nodes as the data plane reports them, one batched call."""

    async def load(clusters: list[ClusterAddress]) -> list[ClusterNodes]:
        found = await fleet.nodes(clusters)
        return [found[c.id] for c in clusters]

    return SharedDataLoader(load)
