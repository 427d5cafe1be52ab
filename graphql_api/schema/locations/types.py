from __future__ import annotations

import strawberry

from graphql_api.domain import locations, regions

strawberry.enum(
    locations.StorageLocation,
    name="StorageLocationId",
    description="Where snapshot bytes are kept; each is backed by its own bucket or folder.",
)
strawberry.enum(regions.CloudProvider, name="CloudProvider")
StorageLocationId = locations.StorageLocation
CloudProvider = regions.CloudProvider


@strawberry.type(description="A storage location and the cluster countries it serves.")
class StorageLocation:
    id: StorageLocationId
    name: str
    countries: list[str] = strawberry.field(
        description="ISO 3166-1 alpha-2 codes routed here; empty for the default location."
    )
    is_default: bool = strawberry.field(description="Serves every country no other row lists.")


_LOCATIONS = {
    rule.location: StorageLocation(
        id=rule.location,
        name=rule.name,
        countries=list(rule.countries),
        is_default=rule.is_default,
    )
    for rule in locations.STORAGE_LOCATION_RULES
}


def storage_location(location: locations.StorageLocation) -> StorageLocation:
    return _LOCATIONS[location]


def all_storage_locations() -> list[StorageLocation]:
    return list(_LOCATIONS.values())


@strawberry.type(description="A cloud provider region clusters can be placed in.")
class Region:
    provider: CloudProvider
    code: str = strawberry.field(description="The provider's own region code, e.g. us-east-1.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    location: str
    snapshot_storage_location: StorageLocation


def region(entry: regions.Region) -> Region:
    return Region(
        provider=entry.provider,
        code=entry.code,
        country=entry.country,
        location=entry.location,
        snapshot_storage_location=storage_location(
            locations.storage_location_for_country(entry.country)
        ),
    )
