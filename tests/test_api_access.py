"""Who reads what: project roles, Organization Owners, and strangers."""

from graphql_api.domain.roles import OrgRole, ProjectRole
from tests.conftest import GraphQLClient, World

PROJECT = """
query($id: ID!) {
  project(id: $id) {
    name viewerRoles viewerCanManageBackups viewerManageBackupsBlocker
    clusters { nodes { name } }
  }
}
"""


async def test_read_only_member_reads_the_project(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    await world.cluster(project, "alpha")
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    body = await gql(PROJECT, reader, {"id": project.id})
    p = body["data"]["project"]
    assert p["clusters"]["nodes"] == [{"name": "alpha"}]
    assert p["viewerRoles"] == ["PROJECT_READ_ONLY"]
    assert p["viewerCanManageBackups"] is False
    assert "Project Owner" in p["viewerManageBackupsBlocker"]


async def test_org_owner_reads_but_must_join_to_manage(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    await world.cluster(project, "alpha")
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    body = await gql(PROJECT, org_owner, {"id": project.id})
    p = body["data"]["project"]
    assert p["clusters"]["nodes"] == [{"name": "alpha"}]
    assert p["viewerRoles"] == []
    assert p["viewerCanManageBackups"] is False
    assert "add yourself as Project Owner" in p["viewerManageBackupsBlocker"]
    viewer = await gql("{ viewer { projects { nodes { id } } } }", org_owner)
    assert viewer["data"]["viewer"]["projects"]["nodes"] == [{"id": project.id}]


async def test_project_owner_may_manage(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    p = (await gql(PROJECT, owner, {"id": project.id}))["data"]["project"]
    assert p["viewerCanManageBackups"] is True
    assert p["viewerManageBackupsBlocker"] is None


async def test_org_member_without_project_role_sees_nothing(
    gql: GraphQLClient, world: World
) -> None:
    org = await world.org()
    project = await world.project(org)
    member = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    assert (await gql(PROJECT, member, {"id": project.id}))["data"]["project"] is None


async def test_user_of_another_organization_sees_nothing(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    cluster = await world.cluster(project, "secret")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    stranger_project = await world.project()
    stranger = await world.actor(project=stranger_project, role=ProjectRole.PROJECT_OWNER)

    # Forbidden and unknown ids answer alike.
    unknown = "0" * 24
    for pid in (project.id, unknown):
        assert (await gql(PROJECT, stranger, {"id": pid}))["data"]["project"] is None
    cluster_q = 'query($p: ID!) { cluster(projectId: $p, name: "secret") { name } }'
    assert (await gql(cluster_q, stranger, {"p": project.id}))["data"]["cluster"] is None
    snap_q = "query($id: ID!) { snapshot(id: $id) { id } }"
    for sid in (snapshot.id, unknown):
        assert (await gql(snap_q, stranger, {"id": sid}))["data"]["snapshot"] is None
    viewer = await gql(
        "{ viewer { projects { nodes { id } } organizations { nodes { id } } } }", stranger
    )
    assert viewer["data"]["viewer"]["projects"]["nodes"] == [{"id": stranger_project.id}]
    assert viewer["data"]["viewer"]["organizations"]["nodes"] == [
        {"id": stranger_project.organization_id}
    ]


async def test_malformed_id_is_a_coded_error(gql: GraphQLClient, world: World) -> None:
    actor = await world.actor()
    body = await gql('{ project(id: "../../etc") { id } }', actor)
    assert body["_status"] == 200
    assert body["data"]["project"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    assert "24 hexadecimal" in body["errors"][0]["message"]


async def test_snapshot_fields_use_atlas_names(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    cluster = await world.cluster(project, "hk", provider="GCP", region="asia-east2")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(
        """query($id: ID!) { snapshot(id: $id) {
            id status scheduledTime startTime finishTime expiration mongoDBVersion
            storageLocation { id name } sizeBytes sha256 cluster { name }
        } }""",
        owner,
        {"id": snapshot.id},
    )
    s = body["data"]["snapshot"]
    assert s["id"] == snapshot.id and len(s["id"]) == 24
    assert s["status"] == "COMPLETED"
    assert s["storageLocation"] == {"id": "AUSTRALIA", "name": "Australia"}
    assert s["cluster"] == {"name": "hk"}
    assert s["mongoDBVersion"] == cluster.mongodb_version
