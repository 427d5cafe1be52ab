from __future__ import annotations

from strawberry.dataloader import DataLoader

from graphql_api.models import Snapshot
from graphql_api.services.snapshots import snapshots_of_clusters


async def _snapshots(cluster_ids: list[str]) -> list[list[Snapshot]]:
    by_cluster = await snapshots_of_clusters(cluster_ids)
    return [by_cluster[i] for i in cluster_ids]


def snapshots_loader() -> DataLoader[str, list[Snapshot]]:
    """Every snapshot of a cluster, newest first; pages are cut in memory."""
    return DataLoader(_snapshots)
