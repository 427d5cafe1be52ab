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
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from graphql_api.domain.clusters import NodeHealth, NodeRole
from graphql_api.fleet.archive import Namespace, archive_chunks, gzip_chunks, read_archive
from graphql_api.fleet.base import Progress
from graphql_api.models import Cluster, ClusterNode, SimulatedClusterData, Snapshot

DATABASE = "app"


class SimulatedFleet:
    async def nodes(self, cluster_ids: list[str]) -> dict[str, list[NodeHealth]]:
        found: dict[str, list[NodeHealth]] = defaultdict(list)
        for node in await ClusterNode.filter(cluster_id__in=cluster_ids):
            found[node.cluster_id].append(
                NodeHealth(node.hostname, node.role, node.healthy, node.replication_lag_ms)
            )
        return {cid: found[cid] for cid in cluster_ids}

    async def dump(self, cluster: Cluster, node: NodeHealth, at: datetime) -> AsyncIterator[bytes]:
        if node.role is not NodeRole.SECONDARY:
            raise ValueError("snapshots are read from secondaries only")
        restored = await SimulatedClusterData.get_or_none(cluster_id=cluster.id)
        namespaces = (
            simulated_documents(cluster.id, at) if restored is None else _as_written(restored)
        )
        for chunk in gzip_chunks(archive_chunks(namespaces, server_version=_server(cluster))):
            yield chunk
            await asyncio.sleep(0)  # stay cancellable between chunks

    async def restore(
        self,
        cluster: Cluster,
        archive: AsyncIterator[bytes],
        snapshot: Snapshot,
        progress: Progress,
    ) -> None:
        """Read the whole archive (validating it), then make it the cluster's data."""
        expected = snapshot.size_bytes or 0
        received, parts = 0, []
        async for chunk in archive:
            parts.append(chunk)
            received += len(chunk)
            if expected:
                await progress(int(90 * received / expected))
        data = b"".join(parts)
        if hashlib.sha256(data).hexdigest() != snapshot.sha256:
            raise ValueError("archive checksum does not match the snapshot's SHA-256")
        read_archive(data)  # raises ArchiveFormatError on a damaged archive
        await SimulatedClusterData.update_or_create(
            cluster_id=cluster.id,
            defaults={
                "archive": data,
                "restored_from_snapshot_id": snapshot.id,
                "restored_at": datetime.now(UTC),
            },
        )
        await progress(99)


def _as_written(restored: SimulatedClusterData) -> list[Namespace]:
    return [
        Namespace(ns.db, ns.collection, ns.documents)
        for ns in read_archive(bytes(restored.archive))
    ]


def _server(cluster: Cluster) -> str:
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
