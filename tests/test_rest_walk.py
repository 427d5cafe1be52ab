"""An Atlas client's walk: list and get snapshots, download and fetch the
archive by snapshotUrl, start a restore and poll its job to COMPLETED."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx

from graphql_api.domain.roles import ProjectRole
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import AuditEvent, Snapshot
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.settings import get_settings
from graphql_api.storage import build_stores
from tests.conftest import NOW, World
from tests.rest_client import Rest
from tests.sqlcount import count_statements

CREATED = NOW - timedelta(days=3)


def engine() -> SnapshotScheduler:
    settings = get_settings()
    return SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings)


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
