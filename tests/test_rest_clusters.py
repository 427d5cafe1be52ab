"""Flex cluster writes over REST (create, update, delete, tenantUpgrade): Atlas's
shapes, statuses and codes, on the lifecycle use cases GraphQL calls, with
GraphQL's words for every refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.ids import new_id
from graphql_api.domain.roles import NOT_CLUSTER_MANAGER, NOT_CLUSTER_OWNER, ProjectRole
from graphql_api.models import AuditEvent, BackupJob, Cluster, DeliveryType, JobStatus, Project
from graphql_api.rest.media import MEDIA_TYPE
from tests.conftest import NOW, GraphQLClient, World
from tests.rest_client import API, Rest, headers


@pytest.fixture
def rest(client: httpx.AsyncClient) -> Rest:
    return Rest(client)


def _create(name: str = "orders", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "providerSettings": {"backingProviderName": "AWS", "regionName": "eu-central-1"},
        **extra,
    }


async def _gql_message(gql: GraphQLClient, actor: Any, query: str, variables: dict) -> str:
    body = await gql(query, actor, variables)
    assert body.get("errors"), body
    return str(body["errors"][0]["message"])


GQL_CREATE = """mutation($in: CreateFlexClusterInput!) {
  createFlexCluster(input: $in) { cluster { name } } }"""
GQL_UPDATE = """mutation($in: UpdateFlexClusterInput!) {
  updateFlexCluster(input: $in) { cluster { name } } }"""
GQL_DELETE = """mutation($p: ID!, $n: String!) {
  deleteFlexCluster(projectId: $p, name: $n) { cluster { name } } }"""
GQL_UPGRADE = """mutation($p: ID!, $n: String!) {
  upgradeFlexCluster(projectId: $p, name: $n) { cluster { name } } }"""


def _gql_create(project: Project, name: str, region: str = "eu-central-1") -> dict:
    return {
        "in": {
            "projectId": project.id,
            "name": name,
            "backingProviderName": "AWS",
            "regionName": region,
        }
    }


async def test_create_update_delete_a_flex_cluster(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    base = f"/groups/{project.id}/flexClusters"
    tags = [{"key": "team", "value": "payments"}]

    created = await rest.post(base, owner, _create(tags=tags))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == MEDIA_TYPE
    cluster = created.json()
    assert cluster["name"] == "orders" and cluster["groupId"] == project.id
    assert cluster["stateName"] == "CREATING" and cluster["clusterType"] == "REPLICASET"
    # Sent as AWS's code, answered as Atlas's name (what Atlas clients compare).
    assert cluster["providerSettings"] == {
        "backingProviderName": "AWS", "providerName": "FLEX", "regionName": "EU_CENTRAL_1",
        "diskSizeGB": 5.0,
    }  # fmt: skip
    assert cluster["tags"] == tags and cluster["terminationProtectionEnabled"] is False
    assert cluster["createDate"] == "2026-11-20T12:00:00Z"
    assert cluster["links"] == [{"href": f"http://testserver{API}{base}/orders", "rel": "self"}]
    assert (await rest.get(f"{base}/orders", owner)).json() == cluster

    protected = await rest.patch(f"{base}/orders", owner, {"terminationProtectionEnabled": True})
    assert protected.status_code == 200
    assert protected.json()["terminationProtectionEnabled"] is True
    assert protected.json()["tags"] == tags  # left out: kept
    refused = await rest.delete(f"{base}/orders", owner)
    assert refused.status_code == 409
    assert refused.json()["errorCode"] == "TERMINATION_PROTECTION_ENABLED"

    cleared = await rest.patch(
        f"{base}/orders", owner, {"terminationProtectionEnabled": False, "tags": []}
    )
    assert cleared.json()["tags"] == [] and cleared.json()["terminationProtectionEnabled"] is False
    unchanged = await rest.patch(f"{base}/orders", owner, {})
    assert unchanged.status_code == 200 and unchanged.json() == cleared.json()

    deleted = await rest.delete(f"{base}/orders", owner)
    assert deleted.status_code == 204 and deleted.content == b""
    gone = await rest.get(f"{base}/orders", owner)
    assert gone.status_code == 404 and gone.json()["errorCode"] == "CLUSTER_NOT_FOUND"
    again = await rest.delete(f"{base}/orders", owner)
    assert again.status_code == 404 and again.json()["errorCode"] == "CLUSTER_NOT_FOUND"
    # The name is free at once, as the deletion rule says.
    assert (await rest.post(base, owner, _create())).status_code == 201
    # Audited as GraphQL's calls are: one service path.
    actions = await AuditEvent.filter(actor_id=owner.user.id).values_list("action", "outcome")
    assert actions.count(("FLEX_CLUSTER_CREATED", "ALLOWED")) == 2
    assert ("FLEX_CLUSTER_DELETED", "REFUSED") in actions
    assert ("FLEX_CLUSTER_DELETED", "ALLOWED") in actions
    assert actions.count(("FLEX_CLUSTER_UPDATED", "ALLOWED")) == 3


async def test_refusals_read_as_graphqls(rest: Rest, world: World, gql: GraphQLClient) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "taken")
    await world.cluster(project, "big", tier=ClusterTier.M10)
    base = f"/groups/{project.id}/flexClusters"
    cases = [
        (
            rest.post(base, owner, _create("taken")),
            (GQL_CREATE, _gql_create(project, "taken")),
            400, "DUPLICATE_CLUSTER_NAME",
        ),
        (
            rest.post(base, owner, _create("-dash")),
            (GQL_CREATE, _gql_create(project, "-dash")),
            400, "INVALID_CLUSTER_NAME",
        ),
        (
            rest.post(base, owner, {**_create("r"), "providerSettings": {
                "backingProviderName": "AWS", "regionName": "mars-1"}}),
            (GQL_CREATE, _gql_create(project, "r", region="mars-1")),
            400, "UNKNOWN_REGION",
        ),
        (
            rest.patch(f"{base}/taken", owner, {"tags": [{"key": "k", "value": "x" * 256}]}),
            (GQL_UPDATE, {"in": {"projectId": project.id, "name": "taken",
                                 "tags": [{"key": "k", "value": "x" * 256}]}}),
            400, "INVALID_TAGS",
        ),
        (
            rest.patch(f"{base}/big", owner, {"tags": []}),
            (GQL_UPDATE, {"in": {"projectId": project.id, "name": "big", "tags": []}}),
            400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API",
        ),
        (
            rest.delete(f"{base}/big", owner),
            (GQL_DELETE, {"p": project.id, "n": "big"}),
            400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API",
        ),
        (
            rest.post(base + ":tenantUpgrade", owner, {"name": "big"}),
            (GQL_UPGRADE, {"p": project.id, "n": "big"}),
            400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API",
        ),
        (
            rest.delete(f"{base}/nope", owner),
            (GQL_DELETE, {"p": project.id, "n": "nope"}),
            404, "CLUSTER_NOT_FOUND",
        ),
        (
            rest.post(base + ":tenantUpgrade", owner, {"name": "nope"}),
            (GQL_UPGRADE, {"p": project.id, "n": "nope"}),
            404, "CLUSTER_NOT_FOUND",
        ),
    ]  # fmt: skip
    for sent, (query, variables), status, code in cases:
        response = await sent
        body = response.json()
        assert (response.status_code, body["errorCode"]) == (status, code), body
        assert body["error"] == status and body["reason"]
        assert body["detail"] == await _gql_message(gql, owner, query, variables)
    assert await Cluster.filter(project_id=project.id).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"providerSettings": {"backingProviderName": "AWS", "regionName": "us-east-1"}}, "name"),
        ({"name": 5, "providerSettings": {}}, "name"),
        ({"name": "a"}, "providerSettings"),
        ({"name": "a", "providerSettings": "AWS"}, "providerSettings"),
        ({"name": "a", "providerSettings": {"regionName": "us-east-1"}},
         "providerSettings.backingProviderName"),
        ({"name": "a", "providerSettings": {"backingProviderName": "OCI", "regionName": "x"}},
         "providerSettings.backingProviderName"),
        ({"name": "a", "providerSettings": {"backingProviderName": "AWS", "regionName": 1}},
         "providerSettings.regionName"),
        ({**_create("a"), "terminationProtectionEnabled": "yes"}, "terminationProtectionEnabled"),
        ({**_create("a"), "tags": {"team": "x"}}, "tags"),
        ({**_create("a"), "tags": ["team"]}, "tags[0]"),
        ({**_create("a"), "tags": [{"key": "team"}]}, "tags[0].value"),
        ({**_create("a"), "tags": [{"key": "team", "value": True}]}, "tags[0].value"),
        ({**_create("a"), "instanceSize": "M10"}, "instanceSize"),
        ({"name": "a", "providerSettings": {"backingProviderName": "AWS", "regionName": "x",
                                            "zone": "b"}}, "providerSettings.zone"),
    ],
)  # fmt: skip
async def test_a_bad_create_body_is_a_400_naming_its_field(
    rest: Rest, world: World, body: dict, field: str
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    response = await rest.post(f"/groups/{project.id}/flexClusters", owner, body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["errorCode"] == "VALIDATION_ERROR"
    assert error["badRequestDetail"]["fields"][0]["field"] == field
    assert not await Cluster.exists()


async def test_bad_update_and_upgrade_bodies_are_400s(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "c")
    base = f"/groups/{project.id}/flexClusters"
    for path, send, body, field in [
        ("/c", rest.patch, {"terminationProtectionEnabled": 1}, "terminationProtectionEnabled"),
        ("/c", rest.patch, {"tags": None, "name": "renamed"}, "name"),
        (":tenantUpgrade", rest.post, {}, "name"),
        (":tenantUpgrade", rest.post, {"name": ["c"]}, "name"),
        (":tenantUpgrade", rest.post,
         {"name": "c", "providerSettings": {"instanceSizeName": "FLEX"}},
         "providerSettings.instanceSizeName"),
    ]:  # fmt: skip
        response = await send(base + path, owner, body)
        assert response.status_code == 400, (path, body, response.text)
        assert response.json()["badRequestDetail"]["fields"][0]["field"] == field
    for raw, code in ((b"[1]", "MALFORMED_REQUEST_BODY"), (b"{", "MALFORMED_REQUEST_BODY")):
        response = await rest.http.patch(
            f"{API}{base}/c",
            content=raw,
            headers=headers(owner, **{"Content-Type": MEDIA_TYPE}),
        )
        assert response.status_code == 400 and response.json()["errorCode"] == code
    text = await rest.http.post(
        f"{API}{base}", content=b"name=c", headers=headers(owner, **{"Content-Type": "text/plain"})
    )
    assert text.status_code == 415
    cluster = await Cluster.get(live_name="c")
    assert cluster.tier is ClusterTier.FLEX and cluster.tags == []


async def test_another_projects_clusters_answer_like_unknown_ones(rest: Rest, world: World) -> None:
    mine, theirs = await world.project(), await world.project()
    me = await world.actor(project=mine, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(theirs, "secret")
    unknown = new_id()

    def attempts(group: str) -> list:
        base = f"/groups/{group}/flexClusters"
        return [
            lambda: rest.post(base, me, _create("new")),
            lambda: rest.patch(f"{base}/secret", me, {"terminationProtectionEnabled": True}),
            lambda: rest.delete(f"{base}/secret", me),
            lambda: rest.post(base + ":tenantUpgrade", me, {"name": "secret"}),
        ]

    for forbidden, missing in zip(attempts(theirs.id), attempts(unknown), strict=True):
        a, b = await forbidden(), await missing()
        assert a.status_code == b.status_code == 404
        assert a.json()["errorCode"] == b.json()["errorCode"] == "GROUP_NOT_FOUND"
        assert a.json()["detail"].replace(theirs.id, "X") == b.json()["detail"].replace(
            unknown, "X"
        )
        assert a.json()["parameters"] == [theirs.id]
    secret = await Cluster.get(live_name="secret")
    assert secret.tier is ClusterTier.FLEX and not secret.termination_protection
    assert await Cluster.filter(project_id=theirs.id).count() == 1
    assert not await Cluster.filter(project_id=mine.id).exists()


async def test_readers_are_refused_with_graphqls_words(
    rest: Rest, world: World, gql: GraphQLClient
) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    manager = await world.actor(project=project, role=ProjectRole.PROJECT_CLUSTER_MANAGER)
    await world.cluster(project, "c")
    base = f"/groups/{project.id}/flexClusters"
    cases = [
        (reader, lambda a: rest.post(base, a, _create("new")), NOT_CLUSTER_OWNER,
         (GQL_CREATE, _gql_create(project, "new"))),
        (reader, lambda a: rest.patch(f"{base}/c", a, {"tags": []}), NOT_CLUSTER_OWNER,
         (GQL_UPDATE, {"in": {"projectId": project.id, "name": "c", "tags": []}})),
        (reader, lambda a: rest.delete(f"{base}/c", a), NOT_CLUSTER_OWNER,
         (GQL_DELETE, {"p": project.id, "n": "c"})),
        (reader, lambda a: rest.post(base + ":tenantUpgrade", a, {"name": "c"}),
         NOT_CLUSTER_MANAGER, (GQL_UPGRADE, {"p": project.id, "n": "c"})),
        (manager, lambda a: rest.delete(f"{base}/c", a), NOT_CLUSTER_OWNER,
         (GQL_DELETE, {"p": project.id, "n": "c"})),
    ]  # fmt: skip
    for actor, send, reason, (query, variables) in cases:
        response = await send(actor)
        assert response.status_code == 403, response.text
        body = response.json()
        assert set(body) == {"error", "errorCode", "detail", "reason", "parameters"}
        assert (body["error"], body["errorCode"], body["reason"]) == (
            403, "USER_UNAUTHORIZED", "Forbidden"
        )  # fmt: skip
        assert body["detail"].endswith(reason)
        assert body["detail"] == await _gql_message(gql, actor, query, variables)
    assert (await Cluster.get(live_name="c")).tier is ClusterTier.FLEX
    refused = await AuditEvent.filter(actor_id=reader.user.id, outcome="REFUSED").count()
    assert refused == 8  # four over REST, four over GraphQL: one audited path
    # The Project Cluster Manager upgrades (Atlas's tenantUpgrade role).
    upgraded = await rest.post(base + ":tenantUpgrade", manager, {"name": "c"})
    assert upgraded.status_code == 200, upgraded.text


async def test_tenant_upgrade_leaves_the_flex_api(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "small")
    await world.cluster(project, "other")
    base = f"/groups/{project.id}/flexClusters"
    upgraded = await rest.post(base + ":tenantUpgrade", owner, {"name": "small"})
    assert upgraded.status_code == 200, upgraded.text
    body = upgraded.json()
    assert body["name"] == "small" and body["providerSettings"]["diskSizeGB"] == 10.0
    assert body["backupSettings"] == {"enabled": True}
    stored = await Cluster.get(live_name="small")
    assert stored.tier is ClusterTier.M10 and stored.next_snapshot_at is None
    after = await rest.get(f"{base}/small", owner)
    assert after.status_code == 400
    assert after.json()["errorCode"] == "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API"
    listed = (await rest.get(base, owner)).json()
    assert [c["name"] for c in listed["results"]] == ["other"]
    bigger = await rest.post(
        base + ":tenantUpgrade",
        owner,
        {"name": "other", "providerSettings": {"instanceSizeName": "M30"}},
    )
    assert bigger.status_code == 200
    assert (await Cluster.get(live_name="other")).tier is ClusterTier.M30


async def test_a_cluster_being_restored_into_is_not_deleted(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    target = await world.cluster(project, "target")
    await BackupJob.create(
        delivery_type=DeliveryType.RESTORE, status=JobStatus.QUEUED, project_id=project.id,
        cluster_id=target.id, snapshot_id=new_id(), requested_by_id=owner.user.id,
        created_at=NOW, target_project_id=project.id, target_cluster_id=target.id,
        target_cluster_name="target", active_target_cluster_id=target.id,
    )  # fmt: skip
    path = f"/groups/{project.id}/flexClusters/target"
    for response in (
        await rest.delete(path, owner),
        await rest.post(
            f"/groups/{project.id}/flexClusters:tenantUpgrade", owner, {"name": "target"}
        ),
    ):
        assert response.status_code == 409
        assert response.json()["errorCode"] == "RESTORE_IN_PROGRESS"
    assert (await Cluster.get(id=target.id)).deleted_at is None


async def test_lone_surrogates_in_a_body_are_a_400_that_changes_nothing(
    rest: Rest, world: World
) -> None:
    """JSON's escapes can spell half a character ("\\ud800"), which no database
    stores: refused when the body is read, not a 500 at the write."""
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "c")
    base = f"{API}/groups/{project.id}/flexClusters"
    settings = b'"providerSettings": {"backingProviderName": "AWS", "regionName": "eu-central-1"}'
    for send, path, raw in [
        (rest.http.post, "", b'{"name": "a\\ud800", ' + settings + b"}"),
        (rest.http.patch, "/c", b'{"tags": [{"key": "k", "value": "\\udc00"}]}'),
        (rest.http.post, ":tenantUpgrade", b'{"name": "c\\ud800"}'),
    ]:
        response = await send(
            base + path, content=raw, headers=headers(owner, **{"Content-Type": MEDIA_TYPE})
        )
        assert response.status_code == 400, (path, response.text)
        assert response.json()["errorCode"] == "MALFORMED_REQUEST_BODY"
    [cluster] = await Cluster.all()
    assert cluster.tags == [] and cluster.tier is ClusterTier.FLEX


async def test_tenant_upgrade_takes_the_body_atlas_clients_send(rest: Rest, world: World) -> None:
    """Atlas's upgrade request describes the cluster to become (provider,
    region, size, and more): the fields this server does not use are ignored."""
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "c")
    body = {
        "name": "c",
        "clusterType": "REPLICASET",
        "providerSettings": {
            "providerName": "AWS",
            "instanceSizeName": "M20",
            "regionName": "EU_CENTRAL_1",
        },
    }
    response = await rest.post(f"/groups/{project.id}/flexClusters:tenantUpgrade", owner, body)
    assert response.status_code == 200, response.text
    assert (await Cluster.get(name="c")).tier is ClusterTier.M20
