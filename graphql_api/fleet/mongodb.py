"""The real data plane (``FLEET=mongodb``): replica sets reached with pymongo's async API.

Same interface as the simulated fleet (``fleet.base.Fleet``). ``nodes()`` asks each cluster's
``hello`` and ``replSetGetStatus`` (mongodb_nodes), ``dump()`` reads one secondary only over a
direct connection (mongodb_dump), ``restore()`` checks the archive on disk, stages it and
swaps it in (mongodb_spool, mongodb_restore).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

from graphql_api.domain.clusters import ClusterNodes, NodeHealth, NodeRole
from graphql_api.fleet.base import ArchiveInfo, ClusterAddress, FleetError, Progress
from graphql_api.fleet.mongodb_connect import MongoOptions
from graphql_api.fleet.mongodb_dump import dump_archive
from graphql_api.fleet.mongodb_nodes import all_cluster_nodes
from graphql_api.fleet.mongodb_restore import restore_archive
from graphql_api.fleet.mongodb_spool import check, spool, temporary_folder

log = logging.getLogger("graphql_api.fleet")


class MongoFleet:
    def __init__(self, options: MongoOptions | None = None) -> None:
        self.options = options or MongoOptions()
        # Dumps reading one cluster at once (in this process); the rest wait their turn.
        self._dump_gates: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.options.dump_concurrency_per_cluster)
        )

    async def nodes(self, clusters: Sequence[ClusterAddress]) -> dict[str, ClusterNodes]:
        return await all_cluster_nodes(clusters, self.options)

    async def dump(
        self, cluster: ClusterAddress, node: NodeHealth, at: datetime
    ) -> AsyncIterator[bytes]:
        """The cluster as it is now (``at`` only names the slot), read from ``node`` only."""
        if node.role is not NodeRole.SECONDARY:
            raise FleetError("Snapshots are read from secondaries only.")
        async with self._dump_gates[cluster.id]:
            async for chunk in dump_archive(cluster, node, self.options):
                yield chunk

    async def restore(
        self,
        cluster: ClusterAddress,
        archive: AsyncIterator[bytes],
        expected: ArchiveInfo,
        progress: Progress,
    ) -> None:
        """Spool and check the archive, then stage and swap; see mongodb_restore."""
        with temporary_folder() as name:
            folder = Path(name)
            checked = await check(await spool(archive, expected, folder))
            await restore_archive(cluster, checked, folder, progress, self.options)
