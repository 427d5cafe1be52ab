"""Where a snapshot's bytes are kept, from the country its cluster runs in."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from graphql_api.domain.regions import CloudProvider, find_region


class StorageLocation(enum.StrEnum):
    AUSTRALIA = "AUSTRALIA"
    GERMANY = "GERMANY"
    ASIA = "ASIA"
    USA = "USA"
    IRELAND = "IRELAND"


@dataclass(frozen=True, slots=True)
class StorageLocationRule:
    location: StorageLocation
    name: str
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2; empty for the default
    is_default: bool = False


# The table of DESIGN.md, in its order. IRELAND takes every country not listed.
STORAGE_LOCATION_RULES: tuple[StorageLocationRule, ...] = (
    StorageLocationRule(StorageLocation.AUSTRALIA, "Australia", ("AU", "HK")),
    StorageLocationRule(StorageLocation.GERMANY, "Germany", ("DE",)),
    StorageLocationRule(StorageLocation.ASIA, "Asia", ("IN", "SG", "TW")),
    StorageLocationRule(StorageLocation.USA, "USA", ("US",)),
    StorageLocationRule(StorageLocation.IRELAND, "Ireland", (), is_default=True),
)

_BY_COUNTRY = {
    country: rule.location for rule in STORAGE_LOCATION_RULES for country in rule.countries
}


def storage_location_for_country(country: str) -> StorageLocation:
    return _BY_COUNTRY.get(country.upper(), StorageLocation.IRELAND)


@functools.lru_cache(maxsize=1024)
def storage_location_for_region(provider: CloudProvider, region_code: str) -> StorageLocation:
    """Raises UnknownRegionError rather than guessing Ireland for a typo.
    Cached (errors are not): every cluster of a page asks it."""
    return storage_location_for_country(find_region(provider, region_code).country)
