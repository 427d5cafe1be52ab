"""An Atlas client's walk: create a Flex cluster, wait for the scheduler, list
and get snapshots, download and fetch the archive by snapshotUrl, start a
restore and poll its job to COMPLETED, delete the cluster."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.domain.roles import ProjectRole
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import AuditEvent, Cluster, Snapshot
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.services.key_pairs import issue_key_pair
from graphql_api.settings import Settings, get_settings
from graphql_api.storage import build_stores
from tests.conftest import NOW, World
from tests.rest_client import API, Rest
from tests.sqlcount import count_statements

CREATED = NOW - timedelta(days=3)


def engine() -> SnapshotScheduler:
    settings = get_settings()
    return SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings)


class Clock:
    """The server's clock, moved by the test (the scheduler ticks at the same times)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def atlas(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client as the Atlas Go SDK is one: versioned Accept on every request."""
    app = create_app(Settings(rate_limit_per_minute=1000), manage_orm=False, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Accept": MEDIA_TYPE},
    ) as c:
        yield c


async def test_atlas_client_walk_from_a_new_cluster(
    atlas: httpx.AsyncClient, clock: Clock, world: World
) -> None:
    """Over HTTP Digest with a key pair, from the cluster's creation to its deletion."""
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    issued = await issue_key_pair(owner.user)
    auth = httpx.DigestAuth(issued.public_key, issued.private_key)
    group = f"{API}/groups/{project.id}"
    cluster_url = f"{group}/flexClusters/walk"
    backup = f"{cluster_url}/backup"

    async def send(method: str, url: str, body: object = None) -> httpx.Response:
        sent = {"Content-Type": MEDIA_TYPE} if body is not None else {}
        return await atlas.request(method, url, json=body, headers=sent, auth=auth)

    async def tick(later: timedelta) -> None:
        clock.now += later
        await engine().tick(clock.now)

    created = await send(
        "POST", f"{group}/flexClusters",
        {"name": "walk", "providerSettings": {"backingProviderName": "AWS",
                                              "regionName": "eu-west-1"}},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["stateName"] == "CREATING"

    await tick(timedelta(minutes=1))  # the data plane reports it up
    assert (await send("GET", cluster_url)).json()["stateName"] == "IDLE"
    assert (await send("GET", f"{backup}/snapshots")).json()["results"] == []
    await tick(timedelta(days=1))  # its first daily snapshot is due a day after creation

    listed = (await send("GET", f"{backup}/snapshots")).json()
    assert listed["totalCount"] == 1
    [snapshot] = listed["results"]
    assert snapshot["status"] == "COMPLETED"
    got = await send("GET", f"{backup}/snapshots/{snapshot['id']}")
    assert got.status_code == 200 and got.json() == snapshot

    download = await send("POST", f"{backup}/download", {"snapshotId": snapshot["id"]})
    assert download.status_code == 200, download.text
    link = download.json()["snapshotUrl"]
    archive = await atlas.get(link)  # the link is its own credential
    assert archive.status_code == 200
    stored = await Snapshot.get(id=snapshot["id"])
    assert hashlib.sha256(archive.content).hexdigest() == stored.sha256

    started = await send(
        "POST", f"{backup}/restoreJobs",
        {"snapshotId": snapshot["id"], "targetDeploymentItemName": "walk"},
    )  # fmt: skip
    assert started.status_code == 200, started.text
    job_url = f"{backup}/restoreJobs/{started.json()['id']}"
    statuses = []
    for _ in range(5):  # poll as a client does, the scheduler ticking meanwhile
        statuses.append((await send("GET", job_url)).json()["status"])
        if statuses[-1] == "COMPLETED":
            break
        await tick(timedelta(minutes=5))
    assert statuses[0] == "QUEUED" and statuses[-1] == "COMPLETED"

    deleted = await send("DELETE", cluster_url)
    assert deleted.status_code == 204
    assert (await send("GET", cluster_url)).status_code == 404
    # Its snapshot stays, and downloadable, until it expires (the deletion rule).
    assert (await Cluster.get(name="walk")).deleted_at is not None
    assert await Snapshot.exists(id=snapshot["id"])
    assert (await atlas.get(link)).status_code == 200


async def test_atlas_client_walk(client: httpx.AsyncClient, world: World) -> None:
    rest = Rest(client)
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    source = await world.cluster(project, "source", created_at=CREATED)
    target = await world.cluster(project, "target", created_at=CREATED + timedelta(hours=5))
    await engine().tick(CREATED + timedelta(days=1))
    stored = await Snapshot.get(cluster_id=source.id)
    base = f"/groups/{project.id}/flexClusters/source/backup"

    listed = (await rest.get(f"{base}/snapshots", owner)).json()
    assert [s["id"] for s in listed["results"]] == [stored.id]
    snapshot = (await rest.get(f"{base}/snapshots/{stored.id}", owner)).json()
    assert snapshot["status"] == "COMPLETED"

    download = await rest.post(f"{base}/download", owner, {"snapshotId": stored.id})
    assert download.status_code == 200
    job = download.json()
    assert job["deliveryType"] == "DOWNLOAD" and job["status"] == "COMPLETED"
    assert job["snapshotId"] == stored.id and job["instanceName"] == "source"
    assert job["expirationDate"] == "2026-11-20T16:00:00Z"
    archive = await client.get(job["snapshotUrl"])
    assert archive.status_code == 200
    assert hashlib.sha256(archive.content).hexdigest() == stored.sha256
    polled = (await rest.get(f"{base}/restoreJobs/{job['id']}", owner)).json()
    assert polled["snapshotUrl"] == job["snapshotUrl"]

    started = await rest.post(
        f"{base}/restoreJobs",
        owner,
        {"snapshotId": stored.id, "targetDeploymentItemName": "target"},
    )
    assert started.status_code == 200
    restore = started.json()
    assert restore["deliveryType"] == "RESTORE" and restore["status"] == "QUEUED"
    assert restore["targetProjectId"] == project.id
    assert restore["targetDeploymentItemName"] == "target"
    assert "snapshotUrl" not in restore
    again = await rest.post(
        f"{base}/restoreJobs",
        owner,
        {"snapshotId": stored.id, "targetDeploymentItemName": "target"},
    )
    assert again.status_code == 409 and again.json()["errorCode"] == "RESTORE_IN_PROGRESS"

    report = await engine().tick(CREATED + timedelta(days=1, hours=1))
    assert report.restores_completed == 1
    done = (await rest.get(f"{base}/restoreJobs/{restore['id']}", owner)).json()
    assert done["status"] == "COMPLETED" and done["restoreFinishedDate"].endswith("Z")
    # The target lists the restore into it too.
    into = await rest.get(f"/groups/{project.id}/flexClusters/target/backup/restoreJobs", owner)
    assert [j["id"] for j in into.json()["results"]] == [restore["id"]]
    assert target.id
    # Audited as GraphQL's calls are: one service path.
    actions = await AuditEvent.filter(actor_id=owner.user.id).values_list("action", "outcome")
    assert ("DOWNLOAD_REQUESTED", "ALLOWED") in actions
    assert ("RESTORE_REQUESTED", "REFUSED") in actions


async def test_statements_per_request_do_not_grow_with_rows(
    client: httpx.AsyncClient, world: World
) -> None:
    rest = Rest(client)
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    few, many = await world.cluster(project, "few"), await world.cluster(project, "many")
    await world.completed_snapshots(few, 1)
    await world.completed_snapshots(many, 9)
    counts = []
    for name in ("few", "many"):
        path = f"/groups/{project.id}/flexClusters/{name}/backup/snapshots"
        await rest.get(path, reader)  # the key's last-used write happens once
        with count_statements() as statements:
            assert (await rest.get(path, reader)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
