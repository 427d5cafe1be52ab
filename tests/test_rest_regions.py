"""REST speaks Atlas's region names: createFlexCluster takes Atlas's name
(US_EAST_1) or the provider's code (us-east-1), and every cluster REST shows
answers Atlas's name, so an Atlas client (Terraform, the Atlas CLI) sees no
drift. The cluster is stored by the provider's code, so it lands in the same
storage location either way; GraphQL keeps showing the code."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from graphql_api.domain.locations import StorageLocation
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import Cluster, Snapshot
from graphql_api.services import daily_snapshots
from tests.conftest import NOW, GraphQLClient, World
from tests.rest_client import Rest


@pytest.fixture
def rest(client: httpx.AsyncClient) -> Rest:
    return Rest(client)


def _create(name: str, provider: str, region: str) -> dict:
    return {
        "name": name,
        "providerSettings": {"backingProviderName": provider, "regionName": region},
    }


@pytest.mark.parametrize(
    ("provider", "atlas_name", "code", "location"),
    [
        ("AWS", "US_EAST_1", "us-east-1", StorageLocation.USA),
        ("AWS", "EU_CENTRAL_1", "eu-central-1", StorageLocation.GERMANY),
        ("GCP", "EUROPE_WEST_3", "europe-west3", StorageLocation.GERMANY),
        ("GCP", "CENTRAL_US", "us-central1", StorageLocation.USA),
        ("AZURE", "GERMANY_WEST_CENTRAL", "germanywestcentral", StorageLocation.GERMANY),
        ("AZURE", "US_EAST_2", "eastus2", StorageLocation.USA),
    ],
)
async def test_create_by_atlas_name_places_the_cluster_as_its_code_does(
    rest: Rest, world: World, provider: str, atlas_name: str, code: str, location: StorageLocation
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    base = f"/groups/{project.id}/flexClusters"

    by_name = await rest.post(base, owner, _create("by-name", provider, atlas_name))
    by_code = await rest.post(base, owner, _create("by-code", provider, code))
    assert (by_name.status_code, by_code.status_code) == (201, 201), by_name.text
    for created in (by_name, by_code):
        assert created.json()["providerSettings"]["regionName"] == atlas_name
        assert created.json()["providerSettings"]["backingProviderName"] == provider

    # Get and list answer Atlas's name too.
    got = await rest.get(f"{base}/by-name", owner)
    assert got.json()["providerSettings"]["regionName"] == atlas_name
    listed = (await rest.get(base, owner)).json()["results"]
    assert {c["name"]: c["providerSettings"]["regionName"] for c in listed} == {
        "by-name": atlas_name,
        "by-code": atlas_name,
    }

    # Stored by the provider's code; the first daily snapshot goes to the same store.
    stored = await Cluster.filter(project_id=project.id).order_by("name")
    assert [(c.name, c.region) for c in stored] == [("by-code", code), ("by-name", code)]
    await daily_snapshots.schedule_due_snapshots(NOW + timedelta(days=1, hours=1))
    placed = {}
    for cluster in stored:
        [snapshot] = await Snapshot.filter(cluster_id=cluster.id)
        placed[cluster.name] = snapshot.storage_location
    assert placed == {"by-name": location, "by-code": location}


@pytest.mark.parametrize(
    ("provider", "region", "examples"),
    [
        ("AWS", "MARS_1", ("us-east-1", "US_EAST_1")),
        ("AWS", "us_east_1", ("us-east-1", "US_EAST_1")),  # Atlas's names are upper case
        ("AWS", "EUROPE_WEST_3", ("us-east-1", "US_EAST_1")),  # GCP's name, asked of AWS
        ("GCP", "EU_CENTRAL_1", ("us-central1", "CENTRAL_US")),
        ("AZURE", "westeurope ", ("eastus", "US_EAST")),
    ],
)
async def test_an_unknown_region_is_a_400_naming_both_forms(
    rest: Rest, world: World, provider: str, region: str, examples: tuple[str, str]
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    response = await rest.post(
        f"/groups/{project.id}/flexClusters", owner, _create("nowhere", provider, region)
    )
    body = response.json()
    assert (response.status_code, body["errorCode"]) == (400, "UNKNOWN_REGION"), body
    code, atlas_name = examples
    assert f"e.g. {code}" in body["detail"] and f"e.g. {atlas_name}" in body["detail"]
    assert repr(region) in body["detail"]
    assert not await Cluster.exists(project_id=project.id)


GQL_CREATE = """mutation($in: CreateFlexClusterInput!) {
  createFlexCluster(input: $in) { cluster {
    providerSettings { backingProviderName regionName } snapshotStorageLocation { name } } } }"""


async def test_graphql_takes_an_atlas_name_and_still_shows_the_code(
    gql: GraphQLClient, rest: Rest, world: World
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(
        GQL_CREATE,
        owner,
        {"in": {"projectId": project.id, "name": "from-gql", "backingProviderName": "GCP",
                "regionName": "EUROPE_WEST_3"}},
    )  # fmt: skip
    assert "errors" not in body, body
    cluster = body["data"]["createFlexCluster"]["cluster"]
    assert cluster["providerSettings"] == {
        "backingProviderName": "GCP",
        "regionName": "europe-west3",
    }
    assert cluster["snapshotStorageLocation"] == {"name": "Germany"}
    # The same cluster over REST, by Atlas's name.
    got = await rest.get(f"/groups/{project.id}/flexClusters/from-gql", owner)
    assert got.json()["providerSettings"]["regionName"] == "EUROPE_WEST_3"
