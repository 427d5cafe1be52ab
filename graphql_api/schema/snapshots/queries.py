from __future__ import annotations

import strawberry

from graphql_api.schema.context import Info
from graphql_api.schema.snapshots.types import Snapshot
from graphql_api.services import snapshots as snapshot_service


@strawberry.type
class SnapshotsQuery:
    @strawberry.field(description="A snapshot by id; null if unknown or not yours.")
    async def snapshot(self, info: Info, id: strawberry.ID) -> Snapshot | None:
        found = await snapshot_service.get_snapshot(info.context.principal, id)
        return None if found is None else Snapshot.from_model(found)
