"""The data plane as the control plane sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from graphql_api.domain.clusters import NodeHealth
from graphql_api.models import Cluster


class Fleet(Protocol):
    async def nodes(self, cluster_ids: list[str]) -> dict[str, list[NodeHealth]]:
        """Each cluster's nodes with role, health and lag (batched)."""
        ...

    def dump(self, cluster: Cluster, node: NodeHealth, at: datetime) -> AsyncIterator[bytes]:
        """A gzip'd mongodump archive of the cluster, read from ``node``."""
        ...
