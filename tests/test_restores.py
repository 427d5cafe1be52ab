"""Restore and download requests: who may, what is refused, what happens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from graphql_api.domain.clusters import ClusterState, ClusterType
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.fleet.archive import read_archive
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import BackupJob, Cluster, JobStatus, Project, Snapshot, SnapshotStatus
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.settings import get_settings
from graphql_api.storage import build_stores
from tests.conftest import NOW, Actor, GraphQLClient, World

CREATED = NOW - timedelta(days=3)

DOWNLOAD = """mutation($id: ID!) { downloadSnapshot(snapshotId: $id) {
  job { id deliveryType status snapshotId snapshotUrl expirationDate }
  userErrors { code message field } } }"""
RESTORE = """mutation($in: RestoreSnapshotInput!) { restoreSnapshot(input: $in) {
  job { id deliveryType status targetProjectId targetDeploymentItemName progressPercent }
  userErrors { code message field } } }"""


def engine() -> SnapshotScheduler:
    settings = get_settings()
    return SnapshotScheduler(SimulatedFleet(), build_stores(settings), settings)


async def _snapshot(world: World, project: Project, name: str = "source") -> Snapshot:
    cluster = await world.cluster(project, name, created_at=CREATED)
    await engine().tick(CREATED + timedelta(days=1))
    snapshot = await Snapshot.get(cluster_id=cluster.id)
    assert snapshot.status is SnapshotStatus.COMPLETED
    return snapshot


def _restore_input(snapshot: Snapshot, project: Project, target: str, confirm: str | None = None):
    return {
        "in": {
            "snapshotId": snapshot.id,
            "targetProjectId": project.id,
            "targetClusterName": target,
            "confirmTargetClusterName": target if confirm is None else confirm,
        }
    }


def _error_code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_download_gives_a_signed_link_to_the_exact_bytes(
    gql: GraphQLClient, world: World, client
) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(DOWNLOAD, owner, {"id": snapshot.id})
    job = body["data"]["downloadSnapshot"]["job"]
    assert job["deliveryType"] == "DOWNLOAD" and job["status"] == "COMPLETED"
    assert job["expirationDate"] == (NOW + timedelta(hours=4)).isoformat()
    url = job["snapshotUrl"]
    assert url.startswith("http://testserver/downloads/")
    assert snapshot.storage_key not in url and snapshot.cluster_id not in url
    response = await client.get(url)
    assert response.status_code == 200
    import hashlib

    assert hashlib.sha256(response.content).hexdigest() == snapshot.sha256


async def test_read_only_member_is_forbidden(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    body = await gql(DOWNLOAD, reader, {"id": snapshot.id})
    assert _error_code(body) == "FORBIDDEN"
    assert "Project Owner" in body["errors"][0]["message"]
    assert body["data"] is None


async def test_member_of_another_project_cannot_tell_it_exists(
    gql: GraphQLClient, world: World
) -> None:
    """IDOR: another project's snapshot answers exactly like an unknown id."""
    victim = await world.project()
    snapshot = await _snapshot(world, victim)
    attacker_project = await world.project()
    await world.cluster(attacker_project, "mine", created_at=CREATED)
    attacker = await world.actor(project=attacker_project, role=ProjectRole.PROJECT_OWNER)
    answers = []
    for sid in (snapshot.id, "f" * 24):
        body = await gql(DOWNLOAD, attacker, {"id": sid})
        answers.append((_error_code(body), body["errors"][0]["message"].replace(sid, "<id>")))
        body = await gql(RESTORE, attacker, _restore_input(snapshot, attacker_project, "mine"))
    assert answers[0] == answers[1] == ("NOT_FOUND", "No snapshot <id> in your projects.")
    assert _error_code(body) == "NOT_FOUND"
    assert await BackupJob.all().count() == 0
    job_q = "query($id: ID!) { backupJob(id: $id) { id } }"
    owner = await world.actor(project=victim, role=ProjectRole.PROJECT_OWNER)
    made = await gql(DOWNLOAD, owner, {"id": snapshot.id})
    job_id = made["data"]["downloadSnapshot"]["job"]["id"]
    assert (await gql(job_q, attacker, {"id": job_id}))["data"]["backupJob"] is None
    assert (await gql(job_q, owner, {"id": job_id}))["data"]["backupJob"] == {"id": job_id}


async def test_org_owner_must_add_themself_first(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    snapshot = await _snapshot(world, project)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    refused = await gql(DOWNLOAD, org_owner, {"id": snapshot.id})
    assert _error_code(refused) == "FORBIDDEN"
    assert "add yourself as Project Owner" in refused["errors"][0]["message"]
    assert "addProjectOwner" in refused["errors"][0]["message"]
    added = await gql(
        "mutation($p: ID!) { addProjectOwner(projectId: $p) { project { viewerCanManageBackups"
        " viewerRoles } } }",
        org_owner,
        {"p": project.id},
    )
    assert added["data"]["addProjectOwner"]["project"] == {
        "viewerCanManageBackups": True,
        "viewerRoles": ["PROJECT_OWNER"],
    }
    allowed = await gql(DOWNLOAD, org_owner, {"id": snapshot.id})
    assert allowed["data"]["downloadSnapshot"]["job"]["status"] == "COMPLETED"


async def test_only_owners_add_project_owners(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    body = await gql(
        "mutation($p: ID!) { addProjectOwner(projectId: $p) { project { id } } }",
        reader,
        {"p": project.id},
    )
    assert _error_code(body) == "FORBIDDEN"
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    outsider = await world.actor()
    body = await gql(
        "mutation($p: ID!, $e: String) { addProjectOwner(projectId: $p, userEmail: $e)"
        " { project { id } } }",
        owner,
        {"p": project.id, "e": outsider.user.email},
    )
    assert _error_code(body) == "NOT_FOUND"  # not in this organization
    body = await gql(
        "mutation($p: ID!, $e: String) { addProjectOwner(projectId: $p, userEmail: $e)"
        " { project { id } } }",
        owner,
        {"p": project.id, "e": reader.user.email},
    )
    assert body["data"]["addProjectOwner"]["project"] == {"id": project.id}


@pytest.mark.parametrize(
    ("target_kwargs", "confirm", "code"),
    [
        ({"cluster_type": ClusterType.SHARDED, "tier": "M30"}, None, "TARGET_NOT_REPLICA_SET"),
        ({"mongodb_version": "7.0"}, None, "INCOMPATIBLE_VERSION"),
        ({"mongodb_version": "10.0"}, None, "INCOMPATIBLE_VERSION"),
        ({}, "wrong-name", "CONFIRMATION_MISMATCH"),
    ],
)
async def test_restore_refusals_are_typed_user_errors(
    gql: GraphQLClient, world: World, target_kwargs: dict, confirm: str | None, code: str
) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    version = target_kwargs.pop("mongodb_version", None)
    target = await world.cluster(project, "target", **target_kwargs)
    if version:
        await Cluster.filter(id=target.id).update(mongodb_version=version)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(RESTORE, owner, _restore_input(snapshot, project, "target", confirm))
    payload = body["data"]["restoreSnapshot"]
    assert payload["job"] is None
    assert [e["code"] for e in payload["userErrors"]] == [code]
    assert await BackupJob.all().count() == 0


async def test_restore_refused_for_unfinished_snapshot_and_missing_target(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    await Snapshot.filter(id=snapshot.id).update(status=SnapshotStatus.RUNNING)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(RESTORE, owner, _restore_input(snapshot, project, "nowhere"))
    codes = {e["code"] for e in body["data"]["restoreSnapshot"]["userErrors"]}
    assert codes == {"SNAPSHOT_NOT_COMPLETED", "TARGET_NOT_FOUND"}
    download = await gql(DOWNLOAD, owner, {"id": snapshot.id})
    assert download["data"]["downloadSnapshot"]["userErrors"][0]["code"] == (
        "SNAPSHOT_NOT_COMPLETED"
    )


async def test_restore_needs_project_owner_on_the_target_too(
    gql: GraphQLClient, world: World
) -> None:
    org = await world.org()
    source, other = await world.project(org), await world.project(org)
    snapshot = await _snapshot(world, source)
    await world.cluster(other, "target")
    actor = await world.actor(project=source, role=ProjectRole.PROJECT_OWNER)
    await _grant(actor, other, ProjectRole.PROJECT_READ_ONLY)
    body = await gql(RESTORE, actor, _restore_input(snapshot, other, "target"))
    assert _error_code(body) == "FORBIDDEN"
    assert "target project" in body["errors"][0]["message"]
    await _grant(actor, other, ProjectRole.PROJECT_OWNER)
    body = await gql(RESTORE, actor, _restore_input(snapshot, other, "target"))
    assert body["data"]["restoreSnapshot"]["job"]["targetProjectId"] == other.id


async def _grant(actor: Actor, project: Project, role: ProjectRole) -> None:
    from graphql_api.services.accounts import grant_project_role

    await grant_project_role(actor.user, project, role)


async def test_restore_end_to_end_and_one_at_a_time(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    target = await world.cluster(project, "target", created_at=CREATED + timedelta(hours=5))
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    first = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    job = first["data"]["restoreSnapshot"]["job"]
    assert job["status"] == "QUEUED" and job["targetDeploymentItemName"] == "target"
    second = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    assert [e["code"] for e in second["data"]["restoreSnapshot"]["userErrors"]] == [
        "RESTORE_IN_PROGRESS"
    ]

    report = await engine().tick(CREATED + timedelta(days=1, hours=1))
    assert report.restores_completed == 1
    done = await BackupJob.get(id=job["id"])
    assert done.status is JobStatus.COMPLETED and done.progress_percent == 100
    assert (await Cluster.get(id=target.id)).state is ClusterState.IDLE

    # The target's next snapshot holds the restored documents, not its own.
    await engine().tick(target.created_at + timedelta(days=1))
    target_snapshot = await Snapshot.get(cluster_id=target.id)
    stores = build_stores(get_settings())

    async def documents(s: Snapshot) -> dict:
        data = b"".join([c async for c in stores[s.storage_location].get(s.storage_key or "")])
        return {(n.db, n.collection): n.documents for n in read_archive(data)}

    assert await documents(target_snapshot) == await documents(snapshot)

    # Finished: another restore to the same target is accepted again.
    again = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    assert again["data"]["restoreSnapshot"]["userErrors"] == []


async def test_jobs_and_audit_are_listed(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    await gql(DOWNLOAD, owner, {"id": snapshot.id})
    await gql(DOWNLOAD, reader, {"id": snapshot.id})  # refused, and audited
    await world.cluster(project, "target")
    await gql(RESTORE, owner, _restore_input(snapshot, project, "target", "typo"))
    query = """query($id: ID!) { project(id: $id) {
      downloadJobs { totalCount nodes { snapshotId } }
      restoreJobs { totalCount }
      cluster(name: "source") { downloadJobs { totalCount } }
      auditEvents { nodes { actorEmail action outcome code } } } }"""
    body = await gql(query, owner, {"id": project.id})
    p = body["data"]["project"]
    assert p["downloadJobs"]["totalCount"] == 1
    assert p["restoreJobs"]["totalCount"] == 0
    assert p["cluster"]["downloadJobs"]["totalCount"] == 1
    events = p["auditEvents"]["nodes"]
    assert {(e["actorEmail"], e["action"], e["outcome"], e["code"]) for e in events} == {
        (owner.user.email, "DOWNLOAD_REQUESTED", "ALLOWED", None),
        (reader.user.email, "DOWNLOAD_REQUESTED", "REFUSED", "FORBIDDEN"),
        (owner.user.email, "RESTORE_REQUESTED", "REFUSED", "CONFIRMATION_MISMATCH"),
    }
    denied = await gql(
        "query($id: ID!) { project(id: $id) { auditEvents { totalCount } } }",
        reader,
        {"id": project.id},
    )
    assert _error_code(denied) == "FORBIDDEN"


async def test_revoked_link_stops_working(gql: GraphQLClient, world: World, client) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    job = (await gql(DOWNLOAD, owner, {"id": snapshot.id}))["data"]["downloadSnapshot"]["job"]
    revoke = "mutation($j: ID!) { revokeDownload(jobId: $j) { job { snapshotUrl } } }"
    assert _error_code(await gql(revoke, reader, {"j": job["id"]})) == "FORBIDDEN"
    body = await gql(revoke, owner, {"j": job["id"]})
    assert body["data"]["revokeDownload"]["job"]["snapshotUrl"] is None
    assert (await client.get(job["snapshotUrl"])).status_code == 410


class SlowRestoreFleet(SimulatedFleet):
    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def restore(self, cluster, archive, expected, progress) -> None:  # type: ignore[no-untyped-def]
        self.started.set()
        await self.release.wait()
        await super().restore(cluster, archive, expected, progress)


async def test_target_shows_restoring_and_an_interrupted_restore_is_retried(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    await world.cluster(project, "target")
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    job_id = body["data"]["restoreSnapshot"]["job"]["id"]
    settings = get_settings()
    slow = SlowRestoreFleet()
    worker = SnapshotScheduler(slow, build_stores(settings), settings)
    now = CREATED + timedelta(days=1, hours=1)
    task = asyncio.create_task(worker.tick(now))
    await asyncio.wait_for(slow.started.wait(), 10)
    state_q = 'query($p: ID!) { cluster(projectId: $p, name: "target") { stateName } }'
    state = await gql(state_q, owner, {"p": project.id})
    assert state["data"]["cluster"]["stateName"] == "RESTORING"
    task.cancel()  # the worker dies mid-restore
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await BackupJob.get(id=job_id)).status is JobStatus.RUNNING
    later = now + timedelta(seconds=settings.snapshot_lease_seconds + 1)
    report = await engine().tick(later)
    assert report.restores_completed == 1
    job = await BackupJob.get(id=job_id)
    assert job.status is JobStatus.COMPLETED and job.attempts == 2
    state = await gql(state_q, owner, {"p": project.id})
    assert state["data"]["cluster"]["stateName"] == "IDLE"


class BrokenRestoreFleet(SimulatedFleet):
    async def restore(self, cluster, archive, expected, progress) -> None:  # type: ignore[no-untyped-def]
        raise OSError("[Errno 28] No space left on device: '/srv/mongo/staging/app.orders'")


async def test_a_failed_restore_says_why_without_leaking_paths(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    snapshot = await _snapshot(world, project)
    await world.cluster(project, "target")
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    job_id = body["data"]["restoreSnapshot"]["job"]["id"]
    settings = get_settings()
    worker = SnapshotScheduler(BrokenRestoreFleet(), build_stores(settings), settings)
    report = await worker.tick(CREATED + timedelta(days=1, hours=1))
    assert report.restores_failed == 1
    shown = await gql(
        "query($j: ID!) { backupJob(id: $j) { status failureReason } }", owner, {"j": job_id}
    )
    job = shown["data"]["backupJob"]
    assert job["status"] == "FAILED"
    assert "/srv" not in job["failureReason"] and "Errno" not in job["failureReason"]
    assert "error id" in job["failureReason"]
