"""Storage locations follow the cluster's country (DESIGN.md's table)."""

import pytest

from graphql_api.domain.locations import (
    STORAGE_LOCATION_RULES,
    StorageLocation,
    storage_location_for_country,
    storage_location_for_region,
)
from graphql_api.domain.regions import REGIONS, CloudProvider, UnknownRegionError, find_region

DESIGN_TABLE = [
    ("AU", StorageLocation.AUSTRALIA),
    ("DE", StorageLocation.GERMANY),
    ("HK", StorageLocation.AUSTRALIA),
    ("IN", StorageLocation.ASIA),
    ("SG", StorageLocation.ASIA),
    ("TW", StorageLocation.ASIA),
    ("US", StorageLocation.USA),
    ("IE", StorageLocation.IRELAND),
    ("JP", StorageLocation.IRELAND),
    ("BR", StorageLocation.IRELAND),
    ("ZZ", StorageLocation.IRELAND),
]


@pytest.mark.parametrize(("country", "location"), DESIGN_TABLE)
def test_each_row_of_the_table(country: str, location: StorageLocation) -> None:
    assert storage_location_for_country(country) is location


@pytest.mark.parametrize(
    ("provider", "region", "location"),
    [
        (CloudProvider.AWS, "ap-east-1", StorageLocation.AUSTRALIA),  # Hong Kong
        (CloudProvider.GCP, "asia-east2", StorageLocation.AUSTRALIA),  # Hong Kong
        (CloudProvider.AZURE, "eastasia", StorageLocation.AUSTRALIA),  # Hong Kong
        (CloudProvider.GCP, "asia-east1", StorageLocation.ASIA),  # Taiwan
        (CloudProvider.AWS, "ap-east-2", StorageLocation.ASIA),  # Taipei
        (CloudProvider.AWS, "ap-south-1", StorageLocation.ASIA),  # Mumbai
        (CloudProvider.AZURE, "southeastasia", StorageLocation.ASIA),  # Singapore
        (CloudProvider.AWS, "eu-central-1", StorageLocation.GERMANY),  # Frankfurt
        (CloudProvider.AZURE, "germanywestcentral", StorageLocation.GERMANY),
        (CloudProvider.AWS, "ap-southeast-2", StorageLocation.AUSTRALIA),  # Sydney
        (CloudProvider.GCP, "us-central1", StorageLocation.USA),
        (CloudProvider.AWS, "eu-west-2", StorageLocation.IRELAND),  # London: unlisted country
        (CloudProvider.AWS, "ap-northeast-1", StorageLocation.IRELAND),  # Tokyo
    ],
)
def test_regions_route_through_their_country(
    provider: CloudProvider, region: str, location: StorageLocation
) -> None:
    assert storage_location_for_region(provider, region) is location


def test_unknown_region_is_an_error_not_ireland() -> None:
    with pytest.raises(UnknownRegionError, match="us-east-9"):
        storage_location_for_region(CloudProvider.AWS, "us-east-9")
    # A real code under the wrong provider is unknown too.
    with pytest.raises(UnknownRegionError):
        find_region(CloudProvider.AZURE, "us-east-1")


def test_catalogue_is_well_formed() -> None:
    keys = [(r.provider, r.code) for r in REGIONS]
    assert len(keys) == len(set(keys)), "duplicate region codes"
    assert all(len(r.country) == 2 and r.country.isupper() for r in REGIONS)
    served = {storage_location_for_country(r.country) for r in REGIONS}
    assert served == set(StorageLocation), "every location is reachable from some region"


def test_rules_list_each_location_once_with_one_default() -> None:
    assert [r.location for r in STORAGE_LOCATION_RULES] == list(StorageLocation)
    assert [r.location for r in STORAGE_LOCATION_RULES if r.is_default] == [StorageLocation.IRELAND]
