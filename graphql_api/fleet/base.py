"""The data plane as the control plane sees it.

The control plane only asks: which nodes a cluster has and how they are
doing, a dump from one of them, a restore into a cluster. Everything about
nodes and data lives behind this interface; the control plane hands over
plain values, never ORM rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from graphql_api.domain.clusters import ClusterNodes, NodeHealth

# Called with the number of archive bytes consumed so far.
Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """What the data plane needs to reach one cluster."""

    id: str
    name: str
    mongodb_version: str
    # A replica set's seed list, e.g. mongodb://h1:27017,h2:27017/?replicaSet=rs0,
    # without credentials; None on the simulated fleet.
    connection_string: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # decrypted, in memory only


@dataclass(frozen=True, slots=True)
class ArchiveInfo:
    """The snapshot a restore reads: what its archive must hash to."""

    snapshot_id: str
    sha256: str
    size_bytes: int


class FleetError(Exception):
    """A data-plane failure whose message is a sentence safe to show clients:
    no hosts' credentials, no paths, no driver traces (those go to the log)."""


class Fleet(Protocol):
    async def nodes(self, clusters: Sequence[ClusterAddress]) -> dict[str, ClusterNodes]:
        """Each cluster's nodes with role, health and lag, by cluster id (batched;
        an unreachable cluster is reported as such, never fails the others)."""
        ...

    def dump(self, cluster: ClusterAddress, node: NodeHealth, at: datetime) -> AsyncIterator[bytes]:
        """A gzip'd mongodump archive of the cluster, read from ``node`` only."""
        ...

    async def restore(
        self,
        cluster: ClusterAddress,
        archive: AsyncIterator[bytes],
        expected: ArchiveInfo,
        progress: Progress,
    ) -> None:
        """Replace the cluster's data with the archive's; a failure leaves it as it was."""
        ...
