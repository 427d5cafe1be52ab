"""The region catalogue: each cloud provider region, the country it is in,
and the name Atlas gives it.

Clusters are placed by the provider's own region code (``us-east-1``,
``europe-west3``, ``germanywestcentral``): that is what is stored, what
GraphQL and the CLI show and what the storage-location rule reads. Countries
are ISO 3166-1 alpha-2 codes; Hong Kong and Taiwan have their own codes,
which the storage-location rule relies on.

Atlas's Administration API names regions its own way (``US_EAST_1``,
``EUROPE_WEST_3``, ``GERMANY_WEST_CENTRAL``), in upper case, per provider:
the same Atlas name can be another provider's region (``US_EAST_2`` is AWS's
us-east-2 and Azure's eastus2). Atlas clients (Terraform's
``provider_settings.region_name``, the Atlas CLI, the Go SDK) send and expect
those names, so the REST API takes either form and answers Atlas's.

Every Atlas name below is copied from the "Atlas Region" column of Atlas's
own region tables (docs source, github.com/mongodb/docs, commit
7c9afa62e1f22d1766505bff955e1521989fdf32):

- AWS: content/atlas/source/reference/amazon-aws.txt
  (https://www.mongodb.com/docs/atlas/reference/amazon-aws/)
- GCP: content/atlas/source/reference/google-gcp.txt
  (https://www.mongodb.com/docs/atlas/reference/google-gcp/)
- Azure: content/atlas/source/reference/microsoft-azure.txt
  (https://www.mongodb.com/docs/atlas/reference/microsoft-azure/)

Two catalogued GCP regions are not in those tables, so they have no Atlas
name here (None) and are known by their provider code only: ``us-east1``
(South Carolina) and ``europe-north2`` (Stockholm). Names are not guessed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CloudProvider(enum.StrEnum):
    AWS = "AWS"
    GCP = "GCP"
    AZURE = "AZURE"


@dataclass(frozen=True, slots=True)
class Region:
    provider: CloudProvider
    code: str
    country: str
    location: str  # human name, e.g. "N. Virginia"
    atlas_name: str | None  # Atlas's name, e.g. "US_EAST_1"; None where Atlas lists none


class UnknownRegionError(ValueError):
    """A region code (or Atlas name) the catalogue does not list for that provider."""

    def __init__(self, provider: CloudProvider, code: str) -> None:
        super().__init__(f"unknown {provider.value} region {code!r}")
        self.provider = provider
        self.code = code


_AWS = [
    ("us-east-1", "US", "N. Virginia", "US_EAST_1"),
    ("us-east-2", "US", "Ohio", "US_EAST_2"),
    ("us-west-1", "US", "N. California", "US_WEST_1"),
    ("us-west-2", "US", "Oregon", "US_WEST_2"),
    ("ca-central-1", "CA", "Canada Central", "CA_CENTRAL_1"),
    ("ca-west-1", "CA", "Calgary", "CA_WEST_1"),
    ("mx-central-1", "MX", "Mexico Central", "MX_CENTRAL_1"),
    ("sa-east-1", "BR", "São Paulo", "SA_EAST_1"),
    ("eu-west-1", "IE", "Ireland", "EU_WEST_1"),
    ("eu-west-2", "GB", "London", "EU_WEST_2"),
    ("eu-west-3", "FR", "Paris", "EU_WEST_3"),
    ("eu-central-1", "DE", "Frankfurt", "EU_CENTRAL_1"),
    ("eu-central-2", "CH", "Zurich", "EU_CENTRAL_2"),
    ("eu-north-1", "SE", "Stockholm", "EU_NORTH_1"),
    ("eu-south-1", "IT", "Milan", "EU_SOUTH_1"),
    ("eu-south-2", "ES", "Spain", "EU_SOUTH_2"),
    ("me-south-1", "BH", "Bahrain", "ME_SOUTH_1"),
    ("me-central-1", "AE", "UAE", "ME_CENTRAL_1"),
    ("il-central-1", "IL", "Tel Aviv", "IL_CENTRAL_1"),
    ("af-south-1", "ZA", "Cape Town", "AF_SOUTH_1"),
    ("ap-east-1", "HK", "Hong Kong", "AP_EAST_1"),
    ("ap-east-2", "TW", "Taipei", "AP_EAST_2"),
    ("ap-south-1", "IN", "Mumbai", "AP_SOUTH_1"),
    ("ap-south-2", "IN", "Hyderabad", "AP_SOUTH_2"),
    ("ap-southeast-1", "SG", "Singapore", "AP_SOUTHEAST_1"),
    ("ap-southeast-2", "AU", "Sydney", "AP_SOUTHEAST_2"),
    ("ap-southeast-3", "ID", "Jakarta", "AP_SOUTHEAST_3"),
    ("ap-southeast-4", "AU", "Melbourne", "AP_SOUTHEAST_4"),
    ("ap-southeast-5", "MY", "Malaysia", "AP_SOUTHEAST_5"),
    ("ap-southeast-7", "TH", "Thailand", "AP_SOUTHEAST_7"),
    ("ap-northeast-1", "JP", "Tokyo", "AP_NORTHEAST_1"),
    ("ap-northeast-2", "KR", "Seoul", "AP_NORTHEAST_2"),
    ("ap-northeast-3", "JP", "Osaka", "AP_NORTHEAST_3"),
]

_GCP = [
    ("us-central1", "US", "Iowa", "CENTRAL_US"),
    ("us-east1", "US", "South Carolina", None),
    ("us-east4", "US", "N. Virginia", "US_EAST_4"),
    ("us-east5", "US", "Columbus", "US_EAST_5"),
    ("us-south1", "US", "Dallas", "US_SOUTH_1"),
    ("us-west1", "US", "Oregon", "WESTERN_US"),
    ("us-west2", "US", "Los Angeles", "US_WEST_2"),
    ("us-west3", "US", "Salt Lake City", "US_WEST_3"),
    ("us-west4", "US", "Las Vegas", "US_WEST_4"),
    ("northamerica-northeast1", "CA", "Montréal", "NORTH_AMERICA_NORTHEAST_1"),
    ("northamerica-northeast2", "CA", "Toronto", "NORTH_AMERICA_NORTHEAST_2"),
    ("northamerica-south1", "MX", "Querétaro", "NORTH_AMERICA_SOUTH_1"),
    ("southamerica-east1", "BR", "São Paulo", "SOUTH_AMERICA_EAST_1"),
    ("southamerica-west1", "CL", "Santiago", "SOUTH_AMERICA_WEST_1"),
    ("europe-west1", "BE", "Belgium", "WESTERN_EUROPE"),
    ("europe-west2", "GB", "London", "EUROPE_WEST_2"),
    ("europe-west3", "DE", "Frankfurt", "EUROPE_WEST_3"),
    ("europe-west4", "NL", "Netherlands", "EUROPE_WEST_4"),
    ("europe-west6", "CH", "Zurich", "EUROPE_WEST_6"),
    ("europe-west8", "IT", "Milan", "EUROPE_WEST_8"),
    ("europe-west9", "FR", "Paris", "EUROPE_WEST_9"),
    ("europe-west10", "DE", "Berlin", "EUROPE_WEST_10"),
    ("europe-west12", "IT", "Turin", "EUROPE_WEST_12"),
    ("europe-central2", "PL", "Warsaw", "EUROPE_CENTRAL_2"),
    ("europe-north1", "FI", "Finland", "EUROPE_NORTH_1"),
    ("europe-north2", "SE", "Stockholm", None),
    ("europe-southwest1", "ES", "Madrid", "EUROPE_SOUTHWEST_1"),
    ("me-central1", "QA", "Doha", "MIDDLE_EAST_CENTRAL_1"),
    ("me-central2", "SA", "Dammam", "MIDDLE_EAST_CENTRAL_2"),
    ("me-west1", "IL", "Tel Aviv", "MIDDLE_EAST_WEST_1"),
    ("africa-south1", "ZA", "Johannesburg", "AFRICA_SOUTH_1"),
    ("asia-east1", "TW", "Taiwan", "EASTERN_ASIA_PACIFIC"),
    ("asia-east2", "HK", "Hong Kong", "ASIA_EAST_2"),
    ("asia-northeast1", "JP", "Tokyo", "NORTHEASTERN_ASIA_PACIFIC"),
    ("asia-northeast2", "JP", "Osaka", "ASIA_NORTHEAST_2"),
    ("asia-northeast3", "KR", "Seoul", "ASIA_NORTHEAST_3"),
    ("asia-south1", "IN", "Mumbai", "ASIA_SOUTH_1"),
    ("asia-south2", "IN", "Delhi", "ASIA_SOUTH_2"),
    ("asia-southeast1", "SG", "Singapore", "SOUTHEASTERN_ASIA_PACIFIC"),
    ("asia-southeast2", "ID", "Jakarta", "ASIA_SOUTHEAST_2"),
    ("australia-southeast1", "AU", "Sydney", "AUSTRALIA_SOUTHEAST_1"),
    ("australia-southeast2", "AU", "Melbourne", "AUSTRALIA_SOUTHEAST_2"),
]

_AZURE = [
    ("eastus", "US", "Virginia", "US_EAST"),
    ("eastus2", "US", "Virginia", "US_EAST_2"),
    ("centralus", "US", "Iowa", "US_CENTRAL"),
    ("northcentralus", "US", "Illinois", "US_NORTH_CENTRAL"),
    ("southcentralus", "US", "Texas", "US_SOUTH_CENTRAL"),
    ("westcentralus", "US", "Wyoming", "US_WEST_CENTRAL"),
    ("westus", "US", "California", "US_WEST"),
    ("westus2", "US", "Washington", "US_WEST_2"),
    ("westus3", "US", "Arizona", "US_WEST_3"),
    ("canadacentral", "CA", "Toronto", "CANADA_CENTRAL"),
    ("canadaeast", "CA", "Quebec City", "CANADA_EAST"),
    ("mexicocentral", "MX", "Querétaro", "MEXICO_CENTRAL"),
    ("brazilsouth", "BR", "São Paulo State", "BRAZIL_SOUTH"),
    ("northeurope", "IE", "Ireland", "EUROPE_NORTH"),
    ("westeurope", "NL", "Netherlands", "EUROPE_WEST"),
    ("uksouth", "GB", "London", "UK_SOUTH"),
    ("ukwest", "GB", "Cardiff", "UK_WEST"),
    ("francecentral", "FR", "Paris", "FRANCE_CENTRAL"),
    ("germanywestcentral", "DE", "Frankfurt", "GERMANY_WEST_CENTRAL"),
    ("germanynorth", "DE", "Berlin", "GERMANY_NORTH"),
    ("switzerlandnorth", "CH", "Zurich", "SWITZERLAND_NORTH"),
    ("norwayeast", "NO", "Oslo", "NORWAY_EAST"),
    ("swedencentral", "SE", "Gävle", "SWEDEN_CENTRAL"),
    ("polandcentral", "PL", "Warsaw", "POLAND_CENTRAL"),
    ("italynorth", "IT", "Milan", "ITALY_NORTH"),
    ("spaincentral", "ES", "Madrid", "SPAIN_CENTRAL"),
    ("uaenorth", "AE", "Dubai", "UAE_NORTH"),
    ("qatarcentral", "QA", "Doha", "QATAR_CENTRAL"),
    ("israelcentral", "IL", "Israel", "ISRAEL_CENTRAL"),
    ("southafricanorth", "ZA", "Johannesburg", "SOUTH_AFRICA_NORTH"),
    ("eastasia", "HK", "Hong Kong", "ASIA_EAST"),
    ("southeastasia", "SG", "Singapore", "ASIA_SOUTH_EAST"),
    ("centralindia", "IN", "Pune", "INDIA_CENTRAL"),
    ("southindia", "IN", "Chennai", "INDIA_SOUTH"),
    ("westindia", "IN", "Mumbai", "INDIA_WEST"),
    ("japaneast", "JP", "Tokyo", "JAPAN_EAST"),
    ("japanwest", "JP", "Osaka", "JAPAN_WEST"),
    ("koreacentral", "KR", "Seoul", "KOREA_CENTRAL"),
    ("koreasouth", "KR", "Busan", "KOREA_SOUTH"),
    ("indonesiacentral", "ID", "Jakarta", "INDONESIA_CENTRAL"),
    ("malaysiawest", "MY", "Kuala Lumpur", "MALAYSIA_WEST"),
    ("newzealandnorth", "NZ", "Auckland", "NEWZEALAND_NORTH"),
    ("australiaeast", "AU", "New South Wales", "AUSTRALIA_EAST"),
    ("australiasoutheast", "AU", "Victoria", "AUSTRALIA_SOUTH_EAST"),
    ("australiacentral", "AU", "Canberra", "AUSTRALIA_CENTRAL"),
]

REGIONS: tuple[Region, ...] = tuple(
    Region(provider, code, country, location, atlas_name)
    for provider, rows in (
        (CloudProvider.AWS, _AWS),
        (CloudProvider.GCP, _GCP),
        (CloudProvider.AZURE, _AZURE),
    )
    for code, country, location, atlas_name in rows
)

_BY_KEY = {(r.provider, r.code): r for r in REGIONS}
_BY_ATLAS_NAME = {(r.provider, r.atlas_name): r for r in REGIONS if r.atlas_name}


def find_region(provider: CloudProvider, code: str) -> Region:
    """The catalogue entry for a provider's region code; raises UnknownRegionError."""
    try:
        return _BY_KEY[(provider, code)]
    except KeyError:
        raise UnknownRegionError(provider, code) from None


def regions_of(provider: CloudProvider) -> tuple[Region, ...]:
    """Every region the catalogue lists for a provider, in catalogue order."""
    return tuple(r for r in REGIONS if r.provider is provider)


def region_codes(provider: CloudProvider) -> tuple[str, ...]:
    """Every region code the catalogue lists for a provider, in catalogue order."""
    return tuple(r.code for r in regions_of(provider))


def lookup_region(provider: CloudProvider, name: str) -> Region:
    """The catalogue entry for either form a client may send: the provider's
    code (``us-east-1``) or Atlas's name (``US_EAST_1``, upper case as Atlas
    writes it); raises UnknownRegionError."""
    found = _BY_KEY.get((provider, name)) or _BY_ATLAS_NAME.get((provider, name))
    if found is None:
        raise UnknownRegionError(provider, name)
    return found


def atlas_region_name(provider: CloudProvider, code: str) -> str:
    """The name Atlas clients expect for a stored region code. A region Atlas
    does not list (or a code no longer catalogued) answers its code unchanged:
    showing what is stored beats failing to show the cluster."""
    region = _BY_KEY.get((provider, code))
    if region is None or region.atlas_name is None:
        return code
    return region.atlas_name


def region_example(provider: CloudProvider) -> Region:
    """The provider's first catalogued region that has an Atlas name, to show
    both accepted forms in a message (``us-east-1`` / ``US_EAST_1``)."""
    return next(r for r in regions_of(provider) if r.atlas_name)
