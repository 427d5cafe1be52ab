"""A new operator's whole first day, from an empty database: bootstrap on the
command line, then the API alone: a project, a member, a Flex cluster, its
first snapshot a day later, a download once the member is Project Owner, the
cluster deleted, and its snapshot still restored into another cluster."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Organization, User
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.settings import get_settings
from graphql_api.storage import build_stores
from tests.conftest import NOW
from tests.live_server import run_cli

DAY = timedelta(days=1)


class Clock:
    """The server's clock, moved by the test (the scheduler gets the same times)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(manage_orm=False, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _gql(http: httpx.AsyncClient, token: str, query: str, **variables: object) -> dict:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


async def _tick(at: datetime) -> None:
    settings = get_settings()
    await SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings).tick(at)


async def test_from_an_empty_database_to_a_restored_snapshot(
    database_url: str, http: httpx.AsyncClient, clock: Clock
) -> None:
    assert not await Organization.exists() and not await User.exists()

    # 1. The one step outside the API: the first organization and its owner.
    made = run_cli(
        {**os.environ, "DATABASE_URL": database_url},
        "create-organization", "--name", "Acme", "--owner-email", "ops@acme.example",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    boss = made.stdout.strip()

    # 2. Through the API: a project, a member with a key, a Flex cluster.
    me = await _gql(http, boss, "{ viewer { organizations { nodes { id } } } }")
    [org] = me["viewer"]["organizations"]["nodes"]
    created = await _gql(
        http, boss,
        'mutation($o: ID!) { createProject(organizationId: $o, name: "shop") {'
        " project { id } userErrors { code } } }",
        o=org["id"],
    )  # fmt: skip
    project_id = created["createProject"]["project"]["id"]
    added = await _gql(
        http, boss,
        'mutation($p: ID!) { addProjectMember(projectId: $p, userEmail: "dev@acme.example",'
        " role: PROJECT_READ_ONLY) { userErrors { code } } }",
        p=project_id,
    )  # fmt: skip
    assert added["addProjectMember"]["userErrors"] == []
    issued = await _gql(
        http, boss,
        'mutation { createApiKey(description: "laptop", userEmail: "dev@acme.example") {'
        " token } }",
    )  # fmt: skip
    dev = issued["createApiKey"]["token"]
    cluster = await _gql(
        http, boss,
        """mutation($p: ID!) { createFlexCluster(input: {projectId: $p, name: "orders",
             backingProviderName: AWS, regionName: "eu-west-1"}) {
           cluster { id stateName snapshotStorageLocation { name }
                     backupPolicy { firstSnapshotTime } } } }""",
        p=project_id,
    )  # fmt: skip
    orders = cluster["createFlexCluster"]["cluster"]
    assert orders["snapshotStorageLocation"]["name"] == "Ireland"
    assert orders["stateName"] == "CREATING"

    # 3. A day later the scheduler takes the first snapshot, which the member reads.
    clock.now = NOW + DAY + timedelta(minutes=1)
    await _tick(clock.now)
    backup_tab = """query($p: ID!) { cluster(projectId: $p, name: "orders") {
        stateName snapshots { nodes { id status sha256 } } } }"""
    seen = (await _gql(http, dev, backup_tab, p=project_id))["cluster"]
    assert seen["stateName"] == "IDLE"
    [snapshot] = seen["snapshots"]["nodes"]
    assert snapshot["status"] == "COMPLETED"

    # 4. Read-only, the member may not download; made Project Owner, they may.
    download = """mutation($s: ID!) { downloadSnapshot(snapshotId: $s) {
        job { snapshotUrl } userErrors { code } } }"""
    refused = await http.post(
        "/graphql",
        json={"query": download, "variables": {"s": snapshot["id"]}},
        headers={"Authorization": f"Bearer {dev}"},
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    promoted = await _gql(
        http, boss,
        'mutation($p: ID!) { updateProjectMemberRole(projectId: $p, userEmail: "dev@acme.example",'
        " role: PROJECT_OWNER) { userErrors { code } } }",
        p=project_id,
    )  # fmt: skip
    assert promoted["updateProjectMemberRole"]["userErrors"] == []
    job = (await _gql(http, dev, download, s=snapshot["id"]))["downloadSnapshot"]["job"]
    archive = await http.get(job["snapshotUrl"])
    assert archive.status_code == 200
    assert hashlib.sha256(archive.content).hexdigest() == snapshot["sha256"]

    # 5. Another cluster to restore into, then the first one is deleted.
    target = await _gql(
        http, dev,
        """mutation($p: ID!) { createFlexCluster(input: {projectId: $p, name: "orders-copy",
             backingProviderName: AWS, regionName: "eu-west-1"}) { cluster { id } } }""",
        p=project_id,
    )  # fmt: skip
    assert target["createFlexCluster"]["cluster"]["id"]
    deleted = await _gql(
        http, dev,
        'mutation($p: ID!) { deleteFlexCluster(projectId: $p, name: "orders") {'
        " cluster { deleted stateName } } }",
        p=project_id,
    )  # fmt: skip
    assert deleted["deleteFlexCluster"]["cluster"] == {"deleted": True, "stateName": "DELETING"}

    # 6. Its snapshot is still listed, marked deleted, and restores into the other cluster.
    listed = await _gql(
        http, dev,
        "query($p: ID!) { project(id: $p) { snapshots { nodes { id cluster { deleted } } } } }",
        p=project_id,
    )  # fmt: skip
    assert listed["project"]["snapshots"]["nodes"] == [
        {"id": snapshot["id"], "cluster": {"deleted": True}}
    ]
    restore = await _gql(
        http, dev,
        """mutation($s: ID!, $p: ID!) { restoreSnapshot(input: {snapshotId: $s,
             targetProjectId: $p, targetClusterName: "orders-copy",
             confirmTargetClusterName: "orders-copy"}) {
           job { id status } userErrors { code } } }""",
        s=snapshot["id"], p=project_id,
    )  # fmt: skip
    assert restore["restoreSnapshot"]["userErrors"] == []
    clock.now += timedelta(minutes=5)
    await _tick(clock.now)
    polled = await _gql(
        http, dev,
        "query($j: ID!) { backupJob(id: $j) { status progressPercent } }",
        j=restore["restoreSnapshot"]["job"]["id"],
    )  # fmt: skip
    assert polled["backupJob"] == {"status": "COMPLETED", "progressPercent": 100}
