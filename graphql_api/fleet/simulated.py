"""A deterministic stand-in for real clusters, with real archive bytes.

Node roles, health and lag live in the database (so the CLI and the server
see the same fleet); each cluster holds a small document set derived from
its id and the day, so it changes daily and is the same on every run, until
a restore replaces it with the archive's documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from graphql_api.clock import utc_now
from graphql_api.domain.clusters import ClusterNodes, NodeHealth, NodeRole
from graphql_api.fleet.archive import (
    ArchiveFormatError,
    Namespace,
    archive_chunks,
    gzip_chunks,
    read_archive,
)
from graphql_api.fleet.base import ArchiveInfo, ClusterAddress, FleetError, Progress
from graphql_api.fleet.simulated_state import ClusterNode, SimulatedClusterData

DATABASE = "app"
SECONDARIES = 2


def default_nodes(cluster: ClusterAddress) -> tuple[NodeHealth, ...]:
    """A primary and two healthy secondaries, lagging 100 and 200 ms."""
    return tuple(
        NodeHealth(
            hostname=f"{cluster.name.lower()}-shard-00-{i:02d}.{cluster.id[-6:]}.mongodb.example",
            role=NodeRole.PRIMARY if i == 0 else NodeRole.SECONDARY,
            healthy=True,
            replication_lag_ms=100 * i,
        )
        for i in range(1 + SECONDARIES)
    )


class SimulatedFleet:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock

    async def nodes(self, clusters: Sequence[ClusterAddress]) -> dict[str, ClusterNodes]:
        changed: dict[str, list[NodeHealth]] = defaultdict(list)
        for node in await ClusterNode.filter(cluster_id__in=[c.id for c in clusters]):
            changed[node.cluster_id].append(
                NodeHealth(node.hostname, node.role, node.healthy, node.replication_lag_ms)
            )
        return {
            c.id: ClusterNodes(tuple(sorted(changed[c.id], key=lambda n: n.hostname)))
            if c.id in changed
            else ClusterNodes(default_nodes(c))
            for c in clusters
        }

    async def set_node_health(
        self,
        cluster: ClusterAddress,
        *,
        healthy: bool,
        hostname: str | None = None,
        role: NodeRole | None = None,
        replication_lag_ms: int | None = None,
    ) -> int:
        """Change simulated node health (CLI, tests, demo); how many nodes changed."""
        current = (await self.nodes([cluster]))[cluster.id].nodes
        chosen = [
            n
            for n in current
            if (hostname is None or n.hostname == hostname) and (role is None or n.role == role)
        ]
        if not chosen:
            raise FleetError(f"Cluster {cluster.name!r} has no such node.")
        async with in_transaction():
            for node in current:
                picked = node in chosen
                lag = replication_lag_ms if picked and replication_lag_ms is not None else None
                await ClusterNode.update_or_create(
                    cluster_id=cluster.id,
                    hostname=node.hostname,
                    defaults={
                        "role": node.role,
                        "healthy": healthy if picked else node.healthy,
                        "replication_lag_ms": node.replication_lag_ms if lag is None else lag,
                    },
                )
        return len(chosen)

    async def dump(
        self, cluster: ClusterAddress, node: NodeHealth, at: datetime
    ) -> AsyncIterator[bytes]:
        if node.role is not NodeRole.SECONDARY:
            raise FleetError("Snapshots are read from secondaries only.")
        restored = await SimulatedClusterData.get_or_none(cluster_id=cluster.id)
        namespaces = (
            simulated_documents(cluster.id, at) if restored is None else _as_written(restored)
        )
        for chunk in gzip_chunks(archive_chunks(namespaces, server_version=_server(cluster))):
            yield chunk
            await asyncio.sleep(0)  # stay cancellable between chunks

    async def restore(
        self,
        cluster: ClusterAddress,
        archive: AsyncIterator[bytes],
        expected: ArchiveInfo,
        progress: Progress,
    ) -> None:
        """Read the whole archive (validating it), then make it the cluster's data."""
        received, parts = 0, []
        async for chunk in archive:
            parts.append(chunk)
            received += len(chunk)
            await progress(received)
        data = b"".join(parts)
        if hashlib.sha256(data).hexdigest() != expected.sha256:
            raise FleetError("The archive does not match the snapshot's SHA-256.")
        try:
            read_archive(data)
        except ArchiveFormatError:
            raise FleetError("The archive is damaged (not a valid mongodump archive).") from None
        await SimulatedClusterData.update_or_create(
            cluster_id=cluster.id,
            defaults={
                "archive": data,
                "restored_from_snapshot_id": expected.snapshot_id,
                "restored_at": self.clock(),
            },
        )


def _as_written(restored: SimulatedClusterData) -> list[Namespace]:
    return [
        Namespace(ns.db, ns.collection, ns.documents)
        for ns in read_archive(bytes(restored.archive))
    ]


def _server(cluster: ClusterAddress) -> str:
    return (
        cluster.mongodb_version
        if cluster.mongodb_version.count(".") == 2
        else (f"{cluster.mongodb_version}.0")
    )


def simulated_documents(cluster_id: str, at: datetime) -> list[Namespace]:
    """The cluster's data as of ``at``'s day: a few customers, that day's orders."""
    day = at.astimezone(UTC).date()
    rng = random.Random(f"{cluster_id}:{day.isoformat()}")  # noqa: S311  (not for security)
    as_of = datetime(day.year, day.month, day.day, tzinfo=UTC)
    customers = [
        {"_id": i, "name": f"customer-{i:03d}", "balance": rng.randint(0, 10_000), "asOf": as_of}
        for i in range(1, 21)
    ]
    orders = [
        {"_id": f"{day.isoformat()}-{n:03d}", "customer": rng.randint(1, 20),
         "total": rng.randint(1, 500), "day": day.isoformat()}
        for n in range(10 + day.toordinal() % 7)
    ]  # fmt: skip
    return [
        Namespace(DATABASE, "customers", customers),
        Namespace(DATABASE, "orders", orders),
    ]
