"""Download links are a Project Owner's credential: only they see a live one, and
a link dies with its requester's rights (role or API key), checked at download time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from graphql_api.app import create_app
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import AuditEvent, BackupJob, ProjectMembership
from graphql_api.schema import build_schema
from graphql_api.schema.context import Context
from graphql_api.services.api_keys import revoke_api_keys
from graphql_api.services.authentication import load_principal
from graphql_api.settings import get_settings
from tests.conftest import NOW, GraphQLClient, World
from tests.test_restores import DOWNLOAD, _snapshot

JOB_VIEWS = """
query($p: ID!, $j: ID!, $c: String!) {
  backupJob(id: $j) { id status snapshotUrl }
  project(id: $p) {
    downloadJobs { nodes { id status snapshotUrl } }
    cluster(name: $c) { downloadJobs { nodes { id status snapshotUrl } } }
  }
}
"""


async def _download_link(gql: GraphQLClient, world: World):
    org = await world.org()
    project = await world.project(org)
    snapshot = await _snapshot(world, project)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    job = (await gql(DOWNLOAD, owner, {"id": snapshot.id}))["data"]["downloadSnapshot"]["job"]
    assert job["snapshotUrl"]
    return org, project, owner, job


async def _fetch(url: str) -> httpx.Response:
    app = create_app(manage_orm=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return await c.get(url)


async def test_only_project_owners_see_a_live_link(gql: GraphQLClient, world: World) -> None:
    org, project, owner, job = await _download_link(gql, world)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    manager = await world.actor(project=project, role=ProjectRole.PROJECT_CLUSTER_MANAGER)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    variables = {"p": project.id, "j": job["id"], "c": "source"}
    for actor, sees_link in ((owner, True), (reader, False), (manager, False), (org_owner, False)):
        data = (await gql(JOB_VIEWS, actor, variables))["data"]
        views = [
            data["backupJob"],
            *data["project"]["downloadJobs"]["nodes"],
            *data["project"]["cluster"]["downloadJobs"]["nodes"],
        ]
        assert len(views) == 3
        for view in views:
            assert view["id"] == job["id"] and view["status"] == "COMPLETED"  # still listed
            assert (view["snapshotUrl"] == job["snapshotUrl"]) is sees_link, (actor, view)
            assert sees_link or view["snapshotUrl"] is None


async def test_the_progress_subscription_shows_no_link_to_a_reader(
    gql: GraphQLClient, world: World
) -> None:
    _, project, owner, job = await _download_link(gql, world)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    schema = build_schema(get_settings())
    query = "subscription($j: ID!) { restoreJobProgress(jobId: $j) { id snapshotUrl } }"
    for actor, expected in ((reader, None), (owner, job["snapshotUrl"])):
        context = Context(authenticated=await load_principal(actor.user), clock=lambda: NOW)
        stream = await schema.subscribe(query, variable_values={"j": job["id"]},
                                        context_value=context)  # fmt: skip
        first = await asyncio.wait_for(anext(stream), 10)  # type: ignore[arg-type]
        await stream.aclose()  # type: ignore[union-attr]
        assert first.errors is None, first.errors
        url = first.data["restoreJobProgress"]["snapshotUrl"]
        assert (url is None) if expected is None else url.endswith(expected.split("/")[-1])


async def test_a_link_dies_when_its_requester_stops_being_project_owner(
    gql: GraphQLClient, world: World
) -> None:
    _, project, owner, job = await _download_link(gql, world)
    assert (await _fetch(job["snapshotUrl"])).status_code == 200
    # The role goes away however it goes: the download checks it again.
    await ProjectMembership.filter(user_id=owner.user.id, project_id=project.id).delete()
    gone = await _fetch(job["snapshotUrl"])
    assert gone.status_code == 410
    assert gone.json()["errorCode"] == "DOWNLOAD_LINK_GONE"
    assert "no longer Project Owner" in gone.json()["detail"]
    event = await AuditEvent.get(action="DOWNLOAD_LINK_REFUSED", job_id=job["id"])
    assert event.actor_id == owner.user.id and event.outcome == "REFUSED"
    assert "no longer Project Owner" in event.detail


async def test_a_link_dies_with_the_api_key_that_requested_it(
    gql: GraphQLClient, world: World
) -> None:
    _, project, owner, job = await _download_link(gql, world)
    other_key_holder = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    snapshot_id = (await BackupJob.get(id=job["id"])).snapshot_id
    other = await gql(DOWNLOAD, other_key_holder, {"id": snapshot_id})
    other_url = other["data"]["downloadSnapshot"]["job"]["snapshotUrl"]
    assert await revoke_api_keys(owner.user, NOW) == 1
    gone = await _fetch(job["snapshotUrl"])
    assert gone.status_code == 410
    assert "API key" in gone.json()["detail"] and "revoked" in gone.json()["detail"]
    revoked = await BackupJob.get(id=job["id"])
    assert revoked.revoked_at is not None  # the revocation step, besides the download check
    reasons = [e.detail for e in await AuditEvent.filter(job_id=job["id"]).order_by("created_at")]
    assert any("API key" in r and "revoked" in r for r in reasons), reasons
    # Someone else's link to the same snapshot is untouched.
    assert (await _fetch(other_url)).status_code == 200


async def test_a_link_dies_even_if_the_revocation_step_missed_it(
    gql: GraphQLClient, world: World
) -> None:
    from graphql_api.models import ApiKey

    _, _, owner, job = await _download_link(gql, world)
    # Revoked behind the service's back: only the download-time check can see it.
    await ApiKey.filter(user_id=owner.user.id).update(revoked_at=NOW - timedelta(minutes=1))
    assert (await BackupJob.get(id=job["id"])).revoked_at is None
    assert (await _fetch(job["snapshotUrl"])).status_code == 410


async def test_links_from_before_keys_were_recorded_still_check_the_role(
    gql: GraphQLClient, world: World
) -> None:
    _, project, owner, job = await _download_link(gql, world)
    await BackupJob.filter(id=job["id"]).update(requested_by_key_id=None)
    assert (await _fetch(job["snapshotUrl"])).status_code == 200
    await ProjectMembership.filter(user_id=owner.user.id, project_id=project.id).delete()
    assert (await _fetch(job["snapshotUrl"])).status_code == 410


async def test_remove_project_member_kills_the_members_live_links(
    gql: GraphQLClient, world: World
) -> None:
    _, project, owner, job = await _download_link(gql, world)
    other = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    assert (await _fetch(job["snapshotUrl"])).status_code == 200
    body = await gql(
        "mutation($p: ID!, $e: String!) { removeProjectMember(projectId: $p, userEmail: $e)"
        " { userErrors { code } } }",
        other,
        {"p": project.id, "e": owner.user.email},
    )
    assert body["data"]["removeProjectMember"]["userErrors"] == []
    gone = await _fetch(job["snapshotUrl"])
    assert gone.status_code == 410
    assert (await BackupJob.get(id=job["id"])).revoked_at is not None
    assert await AuditEvent.exists(action="DOWNLOAD_REVOKED", job_id=job["id"],
                                   actor_id=other.user.id)  # fmt: skip


async def test_demotion_kills_the_members_live_links(gql: GraphQLClient, world: World) -> None:
    _, project, owner, job = await _download_link(gql, world)
    other = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(
        "mutation($p: ID!, $e: String!) { updateProjectMemberRole(projectId: $p, userEmail: $e,"
        " role: PROJECT_READ_ONLY) { userErrors { code } } }",
        other,
        {"p": project.id, "e": owner.user.email},
    )
    assert body["data"]["updateProjectMemberRole"]["userErrors"] == []
    assert (await _fetch(job["snapshotUrl"])).status_code == 410


async def test_revoke_api_key_kills_the_links_it_requested(
    gql: GraphQLClient, world: World
) -> None:
    _, _, owner, job = await _download_link(gql, world)
    assert (await _fetch(job["snapshotUrl"])).status_code == 200
    key_id = (await BackupJob.get(id=job["id"])).requested_by_key_id
    body = await gql(
        "mutation($k: ID!) { revokeApiKey(apiKeyId: $k) { apiKey { revokedAt } } }",
        owner,
        {"k": key_id},
    )
    assert body["data"]["revokeApiKey"]["apiKey"]["revokedAt"]
    gone = await _fetch(job["snapshotUrl"])
    assert gone.status_code == 410 and "API key" in gone.json()["detail"]
