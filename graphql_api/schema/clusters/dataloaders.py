from __future__ import annotations

from collections import defaultdict

from strawberry.dataloader import DataLoader

from graphql_api.models import Cluster, ClusterNode


async def _clusters(ids: list[str]) -> list[Cluster | None]:
    found = {c.id: c for c in await Cluster.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def _nodes(cluster_ids: list[str]) -> list[list[ClusterNode]]:
    by_cluster: dict[str, list[ClusterNode]] = defaultdict(list)
    for node in await ClusterNode.filter(cluster_id__in=cluster_ids).order_by("hostname"):
        by_cluster[node.cluster_id].append(node)
    return [by_cluster[i] for i in cluster_ids]


def cluster_loader() -> DataLoader[str, Cluster | None]:
    return DataLoader(_clusters)


def nodes_loader() -> DataLoader[str, list[ClusterNode]]:
    return DataLoader(_nodes)
