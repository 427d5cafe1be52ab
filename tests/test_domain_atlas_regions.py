"""Atlas's region names (US_EAST_1) beside the providers' codes (us-east-1):
either form finds the same catalogue entry, and each region with an Atlas
name gives it back (the names are Atlas's docs tables; see domain/regions.py)."""

import re

import pytest

from graphql_api.domain.regions import (
    REGIONS,
    CloudProvider,
    Region,
    UnknownRegionError,
    atlas_region_name,
    lookup_region,
)

NAMED = [r for r in REGIONS if r.atlas_name is not None]


@pytest.mark.parametrize("region", NAMED, ids=lambda r: f"{r.provider.value}-{r.code}")
def test_each_atlas_name_round_trips(region: Region) -> None:
    assert region.atlas_name is not None
    assert lookup_region(region.provider, region.atlas_name) is region
    assert lookup_region(region.provider, region.code) is region
    assert atlas_region_name(region.provider, region.code) == region.atlas_name


@pytest.mark.parametrize(
    ("provider", "atlas_name", "code"),
    [
        (CloudProvider.AWS, "US_EAST_1", "us-east-1"),
        (CloudProvider.AWS, "EU_CENTRAL_1", "eu-central-1"),
        (CloudProvider.AWS, "US_EAST_2", "us-east-2"),
        (CloudProvider.GCP, "CENTRAL_US", "us-central1"),
        (CloudProvider.GCP, "WESTERN_EUROPE", "europe-west1"),
        (CloudProvider.GCP, "EUROPE_WEST_3", "europe-west3"),
        (CloudProvider.GCP, "NORTHEASTERN_ASIA_PACIFIC", "asia-northeast1"),
        (CloudProvider.AZURE, "US_EAST_2", "eastus2"),
        (CloudProvider.AZURE, "EUROPE_WEST", "westeurope"),
        (CloudProvider.AZURE, "GERMANY_WEST_CENTRAL", "germanywestcentral"),
        (CloudProvider.AZURE, "ASIA_SOUTH_EAST", "southeastasia"),
    ],
)
def test_names_atlas_clients_send(provider: CloudProvider, atlas_name: str, code: str) -> None:
    # The same Atlas name is another region under another provider (US_EAST_2).
    assert lookup_region(provider, atlas_name).code == code


def test_atlas_names_are_upper_case_and_unique_per_provider() -> None:
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", r.atlas_name or "X") for r in REGIONS)
    keys = [(r.provider, r.atlas_name) for r in NAMED]
    assert len(keys) == len(set(keys)), "an Atlas name given to two regions of one provider"


@pytest.mark.parametrize(
    ("provider", "name"),
    [
        (CloudProvider.AWS, "us_east_1"),  # Atlas's names are upper case
        (CloudProvider.AWS, "Us_East_1"),
        (CloudProvider.AWS, "US-EAST-1"),
        (CloudProvider.AWS, "US_EAST_9"),
        (CloudProvider.GCP, "GERMANY_WEST_CENTRAL"),  # Azure's name, asked of GCP
        (CloudProvider.AZURE, "EUROPE_WEST_3"),  # GCP's
        (CloudProvider.AZURE, "eu-central-1"),
    ],
)
def test_other_spellings_are_unknown(provider: CloudProvider, name: str) -> None:
    with pytest.raises(UnknownRegionError, match=re.escape(repr(name))):
        lookup_region(provider, name)


def test_regions_atlas_does_not_list_keep_their_code() -> None:
    unnamed = {(r.provider, r.code) for r in REGIONS if r.atlas_name is None}
    assert unnamed == {(CloudProvider.GCP, "us-east1"), (CloudProvider.GCP, "europe-north2")}
    assert lookup_region(CloudProvider.GCP, "us-east1").code == "us-east1"
    assert atlas_region_name(CloudProvider.GCP, "us-east1") == "us-east1"
    # A stored code no longer catalogued is shown as stored, not an error.
    assert atlas_region_name(CloudProvider.AWS, "us-gone-1") == "us-gone-1"
