"""The region catalogue: each cloud provider region and the country it is in.

Clusters are placed by the provider's own region code (``us-east-1``,
``europe-west3``, ``germanywestcentral``). Countries are ISO 3166-1 alpha-2
codes; Hong Kong and Taiwan have their own codes, which the storage-location
rule relies on.
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


class UnknownRegionError(ValueError):
    """A region code the catalogue does not list for that provider."""

    def __init__(self, provider: CloudProvider, code: str) -> None:
        super().__init__(f"unknown {provider.value} region {code!r}")
        self.provider = provider
        self.code = code


_AWS = [
    ("us-east-1", "US", "N. Virginia"),
    ("us-east-2", "US", "Ohio"),
    ("us-west-1", "US", "N. California"),
    ("us-west-2", "US", "Oregon"),
    ("ca-central-1", "CA", "Canada Central"),
    ("ca-west-1", "CA", "Calgary"),
    ("mx-central-1", "MX", "Mexico Central"),
    ("sa-east-1", "BR", "São Paulo"),
    ("eu-west-1", "IE", "Ireland"),
    ("eu-west-2", "GB", "London"),
    ("eu-west-3", "FR", "Paris"),
    ("eu-central-1", "DE", "Frankfurt"),
    ("eu-central-2", "CH", "Zurich"),
    ("eu-north-1", "SE", "Stockholm"),
    ("eu-south-1", "IT", "Milan"),
    ("eu-south-2", "ES", "Spain"),
    ("me-south-1", "BH", "Bahrain"),
    ("me-central-1", "AE", "UAE"),
    ("il-central-1", "IL", "Tel Aviv"),
    ("af-south-1", "ZA", "Cape Town"),
    ("ap-east-1", "HK", "Hong Kong"),
    ("ap-east-2", "TW", "Taipei"),
    ("ap-south-1", "IN", "Mumbai"),
    ("ap-south-2", "IN", "Hyderabad"),
    ("ap-southeast-1", "SG", "Singapore"),
    ("ap-southeast-2", "AU", "Sydney"),
    ("ap-southeast-3", "ID", "Jakarta"),
    ("ap-southeast-4", "AU", "Melbourne"),
    ("ap-southeast-5", "MY", "Malaysia"),
    ("ap-southeast-7", "TH", "Thailand"),
    ("ap-northeast-1", "JP", "Tokyo"),
    ("ap-northeast-2", "KR", "Seoul"),
    ("ap-northeast-3", "JP", "Osaka"),
]

_GCP = [
    ("us-central1", "US", "Iowa"),
    ("us-east1", "US", "South Carolina"),
    ("us-east4", "US", "N. Virginia"),
    ("us-east5", "US", "Columbus"),
    ("us-south1", "US", "Dallas"),
    ("us-west1", "US", "Oregon"),
    ("us-west2", "US", "Los Angeles"),
    ("us-west3", "US", "Salt Lake City"),
    ("us-west4", "US", "Las Vegas"),
    ("northamerica-northeast1", "CA", "Montréal"),
    ("northamerica-northeast2", "CA", "Toronto"),
    ("northamerica-south1", "MX", "Querétaro"),
    ("southamerica-east1", "BR", "São Paulo"),
    ("southamerica-west1", "CL", "Santiago"),
    ("europe-west1", "BE", "Belgium"),
    ("europe-west2", "GB", "London"),
    ("europe-west3", "DE", "Frankfurt"),
    ("europe-west4", "NL", "Netherlands"),
    ("europe-west6", "CH", "Zurich"),
    ("europe-west8", "IT", "Milan"),
    ("europe-west9", "FR", "Paris"),
    ("europe-west10", "DE", "Berlin"),
    ("europe-west12", "IT", "Turin"),
    ("europe-central2", "PL", "Warsaw"),
    ("europe-north1", "FI", "Finland"),
    ("europe-north2", "SE", "Stockholm"),
    ("europe-southwest1", "ES", "Madrid"),
    ("me-central1", "QA", "Doha"),
    ("me-central2", "SA", "Dammam"),
    ("me-west1", "IL", "Tel Aviv"),
    ("africa-south1", "ZA", "Johannesburg"),
    ("asia-east1", "TW", "Taiwan"),
    ("asia-east2", "HK", "Hong Kong"),
    ("asia-northeast1", "JP", "Tokyo"),
    ("asia-northeast2", "JP", "Osaka"),
    ("asia-northeast3", "KR", "Seoul"),
    ("asia-south1", "IN", "Mumbai"),
    ("asia-south2", "IN", "Delhi"),
    ("asia-southeast1", "SG", "Singapore"),
    ("asia-southeast2", "ID", "Jakarta"),
    ("australia-southeast1", "AU", "Sydney"),
    ("australia-southeast2", "AU", "Melbourne"),
]

_AZURE = [
    ("eastus", "US", "Virginia"),
    ("eastus2", "US", "Virginia"),
    ("centralus", "US", "Iowa"),
    ("northcentralus", "US", "Illinois"),
    ("southcentralus", "US", "Texas"),
    ("westcentralus", "US", "Wyoming"),
    ("westus", "US", "California"),
    ("westus2", "US", "Washington"),
    ("westus3", "US", "Arizona"),
    ("canadacentral", "CA", "Toronto"),
    ("canadaeast", "CA", "Quebec City"),
    ("mexicocentral", "MX", "Querétaro"),
    ("brazilsouth", "BR", "São Paulo State"),
    ("northeurope", "IE", "Ireland"),
    ("westeurope", "NL", "Netherlands"),
    ("uksouth", "GB", "London"),
    ("ukwest", "GB", "Cardiff"),
    ("francecentral", "FR", "Paris"),
    ("germanywestcentral", "DE", "Frankfurt"),
    ("germanynorth", "DE", "Berlin"),
    ("switzerlandnorth", "CH", "Zurich"),
    ("norwayeast", "NO", "Oslo"),
    ("swedencentral", "SE", "Gävle"),
    ("polandcentral", "PL", "Warsaw"),
    ("italynorth", "IT", "Milan"),
    ("spaincentral", "ES", "Madrid"),
    ("uaenorth", "AE", "Dubai"),
    ("qatarcentral", "QA", "Doha"),
    ("israelcentral", "IL", "Israel"),
    ("southafricanorth", "ZA", "Johannesburg"),
    ("eastasia", "HK", "Hong Kong"),
    ("southeastasia", "SG", "Singapore"),
    ("centralindia", "IN", "Pune"),
    ("southindia", "IN", "Chennai"),
    ("westindia", "IN", "Mumbai"),
    ("japaneast", "JP", "Tokyo"),
    ("japanwest", "JP", "Osaka"),
    ("koreacentral", "KR", "Seoul"),
    ("koreasouth", "KR", "Busan"),
    ("indonesiacentral", "ID", "Jakarta"),
    ("malaysiawest", "MY", "Kuala Lumpur"),
    ("newzealandnorth", "NZ", "Auckland"),
    ("australiaeast", "AU", "New South Wales"),
    ("australiasoutheast", "AU", "Victoria"),
    ("australiacentral", "AU", "Canberra"),
]

REGIONS: tuple[Region, ...] = tuple(
    Region(provider, code, country, location)
    for provider, rows in (
        (CloudProvider.AWS, _AWS),
        (CloudProvider.GCP, _GCP),
        (CloudProvider.AZURE, _AZURE),
    )
    for code, country, location in rows
)

_BY_KEY = {(r.provider, r.code): r for r in REGIONS}


def find_region(provider: CloudProvider, code: str) -> Region:
    """The catalogue entry for a provider's region code; raises UnknownRegionError."""
    try:
        return _BY_KEY[(provider, code)]
    except KeyError:
        raise UnknownRegionError(provider, code) from None


def region_codes(provider: CloudProvider) -> tuple[str, ...]:
    """Every region code the catalogue lists for a provider, in catalogue order."""
    return tuple(r.code for r in REGIONS if r.provider is provider)
