"""The data plane as the control plane sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Protocol

from graphql_api.domain.clusters import NodeHealth
from graphql_api.models import Cluster, Snapshot

Progress = Callable[[int], Awaitable[None]]


class Fleet(Protocol):
    async def nodes(self, cluster_ids: list[str]) -> dict[str, list[NodeHealth]]:
        """Each cluster's nodes with role, health and lag (batched)."""
        ...

    def dump(self, cluster: Cluster, node: NodeHealth, at: datetime) -> AsyncIterator[bytes]:
        """A gzip'd mongodump archive of the cluster, read from ``node``."""
        ...

    async def restore(
        self,
        cluster: Cluster,
        archive: AsyncIterator[bytes],
        snapshot: Snapshot,
        progress: Progress,
    ) -> None:
        """Replace the cluster's data with the gzip'd archive's, reporting percent done."""
        ...
