from __future__ import annotations

from strawberry.dataloader import DataLoader

from graphql_api.domain.clusters import ClusterNodes
from graphql_api.fleet.base import ClusterAddress, Fleet
from graphql_api.models import Cluster


async def _clusters(ids: list[str]) -> list[Cluster | None]:
    found = {c.id: c for c in await Cluster.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def cluster_loader() -> DataLoader[str, Cluster | None]:
    return DataLoader(_clusters)


def nodes_loader(fleet: Fleet) -> DataLoader[ClusterAddress, ClusterNodes]:
    """Clusters' nodes as the data plane reports them, one batched call."""

    async def load(clusters: list[ClusterAddress]) -> list[ClusterNodes]:
        found = await fleet.nodes(clusters)
        return [found[c.id] for c in clusters]

    return DataLoader(load)
