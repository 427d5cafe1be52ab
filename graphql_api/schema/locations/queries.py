from __future__ import annotations

import strawberry

from graphql_api.domain import regions
from graphql_api.schema.locations.types import (
    CloudProvider,
    Region,
    StorageLocation,
    all_storage_locations,
    region,
)


@strawberry.type
class LocationsQuery:
    @strawberry.field(description="The storage locations and which cluster countries use each.")
    def storage_locations(self) -> list[StorageLocation]:
        return all_storage_locations()

    @strawberry.field(description="The region catalogue, optionally for one provider.")
    def regions(self, provider: CloudProvider | None = None) -> list[Region]:
        return [region(r) for r in regions.REGIONS if provider is None or r.provider == provider]
