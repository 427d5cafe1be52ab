from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api import models
from graphql_api.schema.context import Context, Info
from graphql_api.schema.execution import FAST_READ, NOT_READY
from graphql_api.schema.locations.types import StorageLocation, storage_location
from graphql_api.schema.pagination import selects_node_field
from graphql_api.schema.scalars import BigInt

if TYPE_CHECKING:
    from graphql_api.schema.clusters.types import Cluster

strawberry.enum(models.SnapshotStatus, name="SnapshotStatus")
SnapshotStatus = models.SnapshotStatus


@strawberry.type(description="One daily snapshot of a Flex cluster (Atlas field names).")
class Snapshot:
    id: strawberry.ID
    status: SnapshotStatus
    scheduled_time: datetime = strawberry.field(description="The daily slot it was taken for.")
    start_time: datetime | None
    finish_time: datetime | None
    expiration: datetime | None = strawberry.field(
        description="When retention deletes it (the last 8 completed are kept) if every "
        "later daily slot succeeds: the 8th success after it, counting the newer completed "
        "ones. A day whose snapshot fails moves it a day later. Once the cluster is "
        "deleted or upgraded to M10+ it no longer moves: the snapshot is kept until the "
        "expiration it showed then, and deleted at it. Null until COMPLETED."
    )
    mongodb_version: str = strawberry.field(name="mongoDBVersion")
    source_node_hostname: str | None = strawberry.field(
        description="The secondary it was read from."
    )
    storage_location: StorageLocation
    size_bytes: BigInt | None = strawberry.field(description="Size of the gzip'd archive.")
    sha256: str | None = strawberry.field(description="SHA-256 of the archive, hex.")
    failure_reason: str | None
    attempts: int
    cluster_id: strawberry.ID

    @strawberry.field(metadata={FAST_READ: lambda self, context: self._ready_cluster(context)})
    def cluster(
        self, info: Info
    ) -> Annotated[Cluster, strawberry.lazy("graphql_api.schema.clusters.types")]:
        # Synchronous when the list's resolver already loaded the page's clusters
        # (prefetch_clusters): a hundred rows then cost no awaits, and the fast
        # path (FAST_READ) reads it without calling this resolver. Otherwise an
        # awaitable, which graphql-core awaits like an async resolver's result.
        ready = self._ready_cluster(info.context)
        if ready is not NOT_READY:
            return ready  # type: ignore[return-value]
        return self._load_cluster(info)  # type: ignore[return-value]

    def _ready_cluster(self, context: Context) -> Cluster | object:
        """The cluster when its page already loaded it (no I/O), else NOT_READY."""
        model = context.loaders.ready_cluster(self.cluster_id)
        return NOT_READY if model is None else _cluster_type().from_model(model)

    async def _load_cluster(self, info: Info) -> Cluster:
        from graphql_api.schema.clusters.types import Cluster

        model = await info.context.loaders.cluster.load(self.cluster_id)
        assert model is not None  # a snapshot's cluster is deleted with it
        return Cluster.from_model(model)

    @classmethod
    def from_model(cls, s: models.Snapshot) -> Snapshot:
        return cls(
            id=strawberry.ID(s.id),
            status=s.status,
            scheduled_time=s.scheduled_time,
            start_time=s.start_time,
            finish_time=s.finish_time,
            expiration=s.expiration,
            mongodb_version=s.mongodb_version,
            source_node_hostname=s.source_node,
            storage_location=storage_location(s.storage_location),
            size_bytes=s.size_bytes,
            sha256=s.sha256,
            failure_reason=s.failure_reason,
            attempts=s.attempts,
            cluster_id=strawberry.ID(s.cluster_id),
        )


@functools.cache
def _cluster_type() -> type[Cluster]:
    """Cluster's GraphQL type (its module imports this one), looked up once:
    an import statement in a function runs for each of a page's rows."""
    from graphql_api.schema.clusters.types import Cluster

    return Cluster


async def prefetch_clusters(info: Info, rows: Sequence[models.Snapshot]) -> None:
    """Load a page's clusters in one batch when the query asks for them, so
    each row's ``cluster`` then resolves without an await of its own."""
    if rows and selects_node_field(info, "cluster"):
        await info.context.loaders.load_clusters(s.cluster_id for s in rows)
