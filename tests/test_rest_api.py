"""The Atlas-compatible REST API, driven over HTTP as an Atlas client would."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from graphql_api.domain.clusters import ClusterTier, ClusterType
from graphql_api.domain.ids import new_id
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import Snapshot, SnapshotStatus
from graphql_api.rest.media import MEDIA_TYPE
from tests.conftest import NOW, GraphQLClient, World
from tests.rest_client import API, Rest, headers


@pytest.fixture
def rest(client: httpx.AsyncClient) -> Rest:
    return Rest(client)


def _links(body: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in body["links"]}


async def test_list_and_get_flex_clusters(rest: Rest, world: World) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    flex = await world.cluster(project, "alpha")
    await world.cluster(project, "dedicated", tier=ClusterTier.M10)

    listed = await rest.get(f"/groups/{project.id}/flexClusters", reader)
    assert listed.status_code == 200
    assert listed.headers["content-type"] == MEDIA_TYPE
    body = listed.json()
    assert body["totalCount"] == 1
    [cluster] = body["results"]
    assert cluster["id"] == flex.id and cluster["groupId"] == project.id
    assert cluster["name"] == "alpha" and cluster["clusterType"] == "REPLICASET"
    assert cluster["stateName"] == "IDLE"
    assert cluster["mongoDBVersion"] == "8.0.0"
    # Stored as us-east-1; shown by the name Atlas clients expect.
    assert cluster["providerSettings"] == {
        "backingProviderName": "AWS", "providerName": "FLEX", "regionName": "US_EAST_1",
        "diskSizeGB": 5.0,
    }  # fmt: skip
    assert cluster["tags"] == [] and cluster["connectionStrings"] == {}
    assert cluster["backupSettings"] == {"enabled": True}
    assert cluster["createDate"] == "2026-10-31T12:00:00Z"
    self_url = f"http://testserver{API}/groups/{project.id}/flexClusters/alpha"
    assert _links(cluster) == {"self": self_url}

    got = await rest.get(f"/groups/{project.id}/flexClusters/alpha", reader)
    assert got.status_code == 200 and got.json() == cluster


async def test_a_clusters_tags_and_seed_list_read_as_graphql_set_them(
    rest: Rest, world: World, gql: GraphQLClient
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "alpha")
    changed = await gql(
        """mutation($p: ID!) {
          updateFlexCluster(input: {projectId: $p, name: "alpha",
                                    tags: [{key: "team", value: "payments"}]}) {
            cluster { name } } }""",
        owner,
        {"p": project.id},
    )
    assert "errors" not in changed, changed
    seed_list = "mongodb://db1:27017,db2:27017/?replicaSet=rs0"
    connected = await gql(
        """mutation($p: ID!, $c: String!) {
          setClusterConnection(input: {projectId: $p, name: "alpha",
                                       connection: {connectionString: $c}}) {
            cluster { name } } }""",
        owner,
        {"p": project.id, "c": seed_list},
    )
    assert "errors" not in connected, connected
    cluster = (await rest.get(f"/groups/{project.id}/flexClusters/alpha", owner)).json()
    assert cluster["tags"] == [{"key": "team", "value": "payments"}]
    assert cluster["connectionStrings"] == {"standard": seed_list}


async def test_non_flex_cluster_is_refused_as_atlas_does(rest: Rest, world: World) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    await world.cluster(project, "big", tier=ClusterTier.M10)
    for path in ("", "/backup/snapshots", "/backup/restoreJobs"):
        response = await rest.get(f"/groups/{project.id}/flexClusters/big{path}", reader)
        assert response.status_code == 400
        assert response.json()["errorCode"] == "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API"


async def test_another_projects_objects_answer_like_unknown_ones(rest: Rest, world: World) -> None:
    mine, theirs = await world.project(), await world.project()
    me = await world.actor(project=mine, role=ProjectRole.PROJECT_OWNER)
    cluster = await world.cluster(theirs, "secret")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    unknown = new_id()
    pairs = [
        (f"/groups/{theirs.id}/flexClusters", f"/groups/{unknown}/flexClusters"),
        (f"/groups/{theirs.id}/flexClusters/secret", f"/groups/{unknown}/flexClusters/secret"),
        (
            f"/groups/{theirs.id}/flexClusters/secret/backup/snapshots/{snapshot.id}",
            f"/groups/{unknown}/flexClusters/secret/backup/snapshots/{snapshot.id}",
        ),
    ]
    for forbidden, missing in pairs:
        a, b = await rest.get(forbidden, me), await rest.get(missing, me)
        assert a.status_code == b.status_code == 404
        assert a.json()["errorCode"] == b.json()["errorCode"] == "GROUP_NOT_FOUND"
        assert a.json()["detail"].replace(theirs.id, "X") == b.json()["detail"].replace(
            unknown, "X"
        )
    # A snapshot of their cluster asked for under mine: not found, as an unknown id.
    mine_cluster = await world.cluster(mine, "mine")
    path = f"/groups/{mine.id}/flexClusters/mine/backup/snapshots/"
    a, b = await rest.get(path + snapshot.id, me), await rest.get(path + unknown, me)
    assert a.status_code == b.status_code == 404
    assert a.json()["errorCode"] == b.json()["errorCode"] == "RESOURCE_NOT_FOUND"
    download = await rest.post(
        f"/groups/{mine.id}/flexClusters/{mine_cluster.name}/backup/download",
        me,
        {"snapshotId": snapshot.id},
    )
    assert download.status_code == 404


async def test_snapshot_pages_as_atlas(rest: Rest, world: World) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    cluster = await world.cluster(project, "paged")
    rows = await world.completed_snapshots(cluster, 7)
    newest_first = [s.id for s in reversed(rows)]
    path = f"/groups/{project.id}/flexClusters/paged/backup/snapshots"

    first = (await rest.get(path, reader, itemsPerPage=3)).json()
    assert [s["id"] for s in first["results"]] == newest_first[:3]
    assert first["totalCount"] == 7
    links = _links(first)
    assert set(links) == {"self", "next"}
    assert "pageNum=2" in links["next"] and "itemsPerPage=3" in links["next"]

    second = (await rest.http.get(links["next"], headers=headers(reader))).json()
    assert [s["id"] for s in second["results"]] == newest_first[3:6]
    assert set(_links(second)) == {"self", "next", "previous"}

    last = (await rest.get(path, reader, itemsPerPage=3, pageNum=3)).json()
    assert [s["id"] for s in last["results"]] == newest_first[6:]
    assert set(_links(last)) == {"self", "previous"}

    past = (await rest.get(path, reader, itemsPerPage=3, pageNum=9)).json()
    assert past["results"] == [] and past["totalCount"] == 7
    assert "pageNum=3" in _links(past)["previous"]

    uncounted = (await rest.get(path, reader, includeCount="false")).json()
    assert "totalCount" not in uncounted and len(uncounted["results"]) == 7

    snap = first["results"][0]
    assert snap["status"] == "COMPLETED" and snap["mongoDBVersion"] == "8.0.0"
    assert snap["scheduledTime"].endswith("Z") and snap["expiration"].endswith("Z")
    one = await rest.get(f"{path}/{snap['id']}", reader)
    assert one.status_code == 200 and one.json() == snap
    assert _links(snap)["self"] == f"http://testserver{API}{path}/{snap['id']}"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"itemsPerPage": 0}, "itemsPerPage"),
        ({"itemsPerPage": 501}, "itemsPerPage"),
        ({"itemsPerPage": "ten"}, "itemsPerPage"),
        ({"pageNum": 0}, "pageNum"),
        ({"includeCount": "maybe"}, "includeCount"),
        ({"envelope": "yes"}, "envelope"),
        ({"pretty": "1"}, "pretty"),
    ],
)
async def test_out_of_range_parameters_are_validation_errors(
    rest: Rest, world: World, params: dict, field: str
) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    response = await rest.get(f"/groups/{project.id}/flexClusters", reader, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "VALIDATION_ERROR"
    assert body["error"] == 400 and body["reason"] == "Bad Request"
    assert body["badRequestDetail"]["fields"][0]["field"] == field


async def test_bad_path_values_are_400_before_any_lookup(rest: Rest, world: World) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    bad_group = await rest.get("/groups/NOT-AN-ID/flexClusters", reader)
    assert bad_group.status_code == 400
    assert bad_group.json()["errorCode"] == "INVALID_GROUP_ID"
    assert bad_group.headers["content-type"] == "application/json"
    bad_name = await rest.get(f"/groups/{project.id}/flexClusters/-dash", reader)
    assert bad_name.status_code == 400 and bad_name.json()["errorCode"] == "VALIDATION_ERROR"
    bad_snapshot = await rest.get(
        f"/groups/{project.id}/flexClusters/a/backup/snapshots/ABC", reader
    )
    assert bad_snapshot.status_code == 400
    unknown_cluster = await rest.get(f"/groups/{project.id}/flexClusters/nope", reader)
    assert unknown_cluster.status_code == 404
    assert unknown_cluster.json()["errorCode"] == "CLUSTER_NOT_FOUND"
    nowhere = await rest.get("/nowhere", reader)
    assert nowhere.status_code == 404 and nowhere.json()["errorCode"] == "RESOURCE_NOT_FOUND"
    # A method not served at a path is said as an ApiError naming those that are.
    put = await rest.http.put(
        f"{API}/groups/{project.id}/flexClusters/a", headers=headers(reader), json={}
    )
    assert put.status_code == 405 and put.json()["errorCode"] == "METHOD_NOT_ALLOWED"
    assert put.headers["allow"] == "GET, PATCH, DELETE"


async def test_versioned_media_type_is_required(client: httpx.AsyncClient, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    url = f"{API}/groups/{project.id}/flexClusters"
    for accept in (None, "application/json", "*/*", "application/vnd.atlas.2023-01-01+json"):
        sent = {**owner.headers, **({"Accept": accept} if accept else {})}
        response = await client.get(url, headers=sent)
        assert response.status_code == 406, accept
        assert response.json()["errorCode"] == "INVALID_VERSION_DATE"
        assert response.json()["reason"] == "Not Acceptable"
    several = f"application/json;q=0.5, {MEDIA_TYPE}"
    assert (await client.get(url, headers={**owner.headers, "Accept": several})).status_code == 200

    await world.cluster(project, "c")
    post = f"{API}/groups/{project.id}/flexClusters/c/backup/download"
    for content_type in ("text/plain", "application/vnd.atlas.2023-01-01+json"):
        response = await client.post(
            post,
            headers=headers(owner, **{"Content-Type": content_type}),
            content=b'{"snapshotId": "0123456789abcdef01234567"}',
        )
        assert response.status_code == 415, content_type
        assert response.json()["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"
    not_json = await client.post(
        post, headers=headers(owner, **{"Content-Type": MEDIA_TYPE}), content=b"{nope"
    )
    assert not_json.status_code == 400


async def test_unauthenticated_and_bad_keys_get_api_errors(
    rest: Rest, client: httpx.AsyncClient, world: World
) -> None:
    project = await world.project()
    missing = await rest.get(f"/groups/{project.id}/flexClusters", None)
    assert missing.status_code == 401
    assert missing.json()["errorCode"] == "UNAUTHORIZED"
    schemes = [c.split(" ")[0] for c in missing.headers.get_list("www-authenticate")]
    assert schemes == ["Digest", "Bearer"]
    wrong = await client.get(
        f"{API}/groups/{project.id}/flexClusters",
        headers={"Accept": MEDIA_TYPE, "Authorization": "Bearer fbk_nope"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == 401 and wrong.json()["errorCode"] == "UNAUTHORIZED"


async def test_envelope_and_pretty(rest: Rest, world: World) -> None:
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    await world.cluster(project, "e")
    base = f"/groups/{project.id}/flexClusters"
    listed = (await rest.get(base, reader, envelope="true")).json()
    assert listed["status"] == 200 and listed["totalCount"] == 1
    one = await rest.get(f"{base}/e", reader, envelope="true", pretty="true")
    assert one.json()["status"] == 200 and one.json()["content"]["name"] == "e"
    assert "\n  " in one.text
    missing = (await rest.get(f"{base}/none", reader, envelope="true")).json()
    assert missing["status"] == 404 and missing["content"]["errorCode"] == "CLUSTER_NOT_FOUND"


async def test_a_fault_is_a_logged_500_with_an_error_id(
    rest: Rest, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from graphql_api.rest import handlers

    async def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(handlers.projects, "get_project", broken)
    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    response = await rest.get(f"/groups/{project.id}/flexClusters", reader)
    assert response.status_code == 500
    body = response.json()
    assert body["errorCode"] == "UNEXPECTED_ERROR" and "disk on fire" not in response.text
    [error_id] = body["parameters"]
    assert error_id in caplog.text and "disk on fire" in caplog.text


async def test_restore_jobs_of_a_cluster_include_restores_into_it(rest: Rest, world: World) -> None:
    from graphql_api.models import DeliveryType
    from tests.conftest import job_row

    project = await world.project()
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    source, target = await world.cluster(project, "src"), await world.cluster(project, "dst")
    other = await world.cluster(await world.project(), "elsewhere")
    into = job_row(DeliveryType.RESTORE, source, NOW - timedelta(hours=2), target)
    download = job_row(DeliveryType.DOWNLOAD, target, NOW - timedelta(hours=1))
    foreign = job_row(DeliveryType.RESTORE, other, NOW, other)
    for job in (into, download, foreign):
        await job.save()
    body = (
        await rest.get(f"/groups/{project.id}/flexClusters/dst/backup/restoreJobs", reader)
    ).json()
    assert [j["id"] for j in body["results"]] == [download.id, into.id]
    assert body["results"][1]["instanceName"] == "src"
    assert body["results"][1]["targetDeploymentItemName"] == "dst"
    assert body["results"][0]["deliveryType"] == "DOWNLOAD"
    path = f"/groups/{project.id}/flexClusters/dst/backup/restoreJobs/"
    assert (await rest.get(path + into.id, reader)).status_code == 200
    assert (await rest.get(path + foreign.id, reader)).status_code == 404
    assert (await rest.get(path + new_id(), reader)).status_code == 404


async def test_org_owner_and_reader_are_refused_with_graphqls_words(
    rest: Rest, world: World
) -> None:
    from graphql_api.domain.roles import NOT_PROJECT_OWNER, ORG_OWNER_MUST_JOIN

    org = await world.org()
    project = await world.project(org)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    cluster = await world.cluster(project, "c")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    path = f"/groups/{project.id}/flexClusters/c/backup"
    for actor, message in ((reader, NOT_PROJECT_OWNER), (org_owner, ORG_OWNER_MUST_JOIN)):
        for op, body in (
            ("/download", {"snapshotId": snapshot.id}),
            ("/restoreJobs", {"snapshotId": snapshot.id, "targetDeploymentItemName": "c"}),
        ):
            response = await rest.post(path + op, actor, body)
            assert response.status_code == 403
            assert response.json()["errorCode"] == "USER_UNAUTHORIZED"
            assert response.json()["detail"].endswith(message)


async def test_restore_refusals_name_rest_fields(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    cluster = await world.cluster(project, "c")
    await world.cluster(project, "sharded", cluster_type=ClusterType.SHARDED, tier=ClusterTier.M10)
    [snapshot] = await world.completed_snapshots(cluster, 1)
    path = f"/groups/{project.id}/flexClusters/c/backup/restoreJobs"
    sharded = await rest.post(
        path, owner, {"snapshotId": snapshot.id, "targetDeploymentItemName": "sharded"}
    )
    assert sharded.status_code == 400
    body = sharded.json()
    assert body["errorCode"] == "TARGET_NOT_REPLICA_SET"
    assert body["detail"] == (
        "Cluster 'sharded' is sharded: snapshots restore to replica sets only."
    )
    assert body["badRequestDetail"]["fields"][0]["field"] == "targetDeploymentItemName"
    missing = await rest.post(
        path, owner, {"snapshotId": snapshot.id, "targetDeploymentItemName": "ghost"}
    )
    assert missing.status_code == 404 and missing.json()["errorCode"] == "CLUSTER_NOT_FOUND"
    for body in (
        {"targetDeploymentItemName": "c"},
        {"snapshotId": "x", "targetDeploymentItemName": "c"},
        {"snapshotId": snapshot.id},
        {"snapshotId": snapshot.id, "targetDeploymentItemName": "a/b"},
        {"snapshotId": snapshot.id, "targetDeploymentItemName": "c", "targetProjectId": 7},
    ):
        response = await rest.post(path, owner, body)
        assert response.status_code == 400, body
        assert response.json()["errorCode"] == "VALIDATION_ERROR"
    pending = await Snapshot.create(
        cluster=cluster, project_id=project.id, scheduled_time=NOW, status=SnapshotStatus.QUEUED,
        mongodb_version="8.0", storage_location=snapshot.storage_location,
    )  # fmt: skip
    not_done = await rest.post(
        path, owner, {"snapshotId": pending.id, "targetDeploymentItemName": "c"}
    )
    assert not_done.status_code == 409
    assert not_done.json()["errorCode"] == "SNAPSHOT_NOT_COMPLETED"
    download = await rest.post(
        f"/groups/{project.id}/flexClusters/c/backup/download", owner, {"snapshotId": pending.id}
    )
    assert download.status_code == 409
    assert download.json()["errorCode"] == "SNAPSHOT_NOT_COMPLETED"


async def test_restore_into_another_project_needs_ownership_there(rest: Rest, world: World) -> None:
    source_project, target_project = await world.project(), await world.project()
    owner = await world.actor(project=source_project, role=ProjectRole.PROJECT_OWNER)
    cluster = await world.cluster(source_project, "src")
    await world.cluster(target_project, "dst")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    path = f"/groups/{source_project.id}/flexClusters/src/backup/restoreJobs"
    body = {
        "snapshotId": snapshot.id,
        "targetDeploymentItemName": "dst",
        "targetProjectId": target_project.id,
    }
    refused = await rest.post(path, owner, body)
    assert refused.status_code == 404
    assert refused.json()["detail"] == f"No project {target_project.id} among your projects."
    # A reader of the target only: the restore into it is listed, its source's name is not.
    from graphql_api.services import accounts

    await accounts.grant_project_role(owner.user, target_project, ProjectRole.PROJECT_OWNER)
    started = await rest.post(path, owner, body)
    assert started.status_code == 200 and started.json()["targetProjectId"] == target_project.id
    reader = await world.actor(project=target_project, role=ProjectRole.PROJECT_READ_ONLY)
    listed = await rest.get(
        f"/groups/{target_project.id}/flexClusters/dst/backup/restoreJobs", reader
    )
    [job] = listed.json()["results"]
    assert job["id"] == started.json()["id"] and "instanceName" not in job
    mine = await rest.get(f"/groups/{target_project.id}/flexClusters/dst/backup/restoreJobs", owner)
    assert mine.json()["results"][0]["instanceName"] == "src"


async def test_request_limits_answer_rest_in_its_shape(rest: Rest, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "c")
    huge = {"snapshotId": "0" * 24, "padding": "x" * 300_000}
    response = await rest.post(f"/groups/{project.id}/flexClusters/c/backup/download", owner, huge)
    assert response.status_code == 413
    assert response.json()["errorCode"] == "BODY_TOO_LARGE"
    assert response.json()["reason"] == "Request Entity Too Large"
