"""Lists: cursor pagination, page-size bound, filters, "All Daily Snapshots"."""

from datetime import timedelta

from graphql_api.domain.clusters import ClusterTier, ClusterType
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import SnapshotStatus
from graphql_api.settings import get_settings
from tests.conftest import NOW, GraphQLClient, World

CLUSTERS_PAGE = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $tier: ClusterTier) {
  project(id: $id) {
    clusters(first: $first, after: $after, last: $last, before: $before, tier: $tier) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { name } }
    }
  }
}
"""


async def _owner_with_clusters(world: World, count: int):
    project = await world.project()
    for i in range(count):
        await world.cluster(project, f"c{i:02d}")
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    return project, owner


async def test_cursor_round_trip_walks_every_cluster_once(gql: GraphQLClient, world: World) -> None:
    project, owner = await _owner_with_clusters(world, 7)
    seen, after = [], None
    while True:
        body = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "first": 3, "after": after})
        conn = body["data"]["project"]["clusters"]
        assert conn["totalCount"] == 7
        seen += [e["node"]["name"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [f"c{i:02d}" for i in range(7)]

    # And backwards from the end, with last/before.
    back = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "last": 2, "before": after})
    conn = back["data"]["project"]["clusters"]
    assert [e["node"]["name"] for e in conn["edges"]] == ["c03", "c04"]  # before c05
    assert conn["pageInfo"]["hasPreviousPage"] is True


async def test_page_size_is_bounded(gql: GraphQLClient, world: World) -> None:
    project, owner = await _owner_with_clusters(world, 1)
    limit = get_settings().max_page_size
    body = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "first": limit + 1})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"between 0 and {limit}" in body["errors"][0]["message"]
    body = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "first": -1})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_cursor_is_a_client_error(gql: GraphQLClient, world: World) -> None:
    project, owner = await _owner_with_clusters(world, 2)
    for cursor in ("not-a-cursor", "WyJ4Il0", "W10"):
        body = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "after": cursor})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", cursor


async def test_filter_by_tier_and_cloud_backup_list(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    await world.cluster(project, "flex")
    await world.cluster(project, "m10", tier=ClusterTier.M10)
    await world.cluster(project, "m10-off", tier=ClusterTier.M10, backup_enabled=False)
    await world.cluster(
        project, "m30", tier=ClusterTier.M30, cluster_type=ClusterType.SHARDED, region="us-west-2"
    )
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(CLUSTERS_PAGE, owner, {"id": project.id, "tier": "FLEX"})
    assert [e["node"]["name"] for e in body["data"]["project"]["clusters"]["edges"]] == ["flex"]
    body = await gql(
        "query($id: ID!) { project(id: $id) { cloudBackupClusters { nodes { name tier } } } }",
        owner,
        {"id": project.id},
    )
    assert body["data"]["project"]["cloudBackupClusters"]["nodes"] == [
        {"name": "m10", "tier": "M10"},
        {"name": "m30", "tier": "M30"},
    ]


async def test_all_daily_snapshots_across_clusters(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    a = await world.cluster(project, "a", created_at=NOW - timedelta(days=5, hours=1))
    b = await world.cluster(project, "b", created_at=NOW - timedelta(days=5, hours=2))
    await world.completed_snapshots(a, 3)
    failed = (await world.completed_snapshots(b, 3))[-1]
    failed.status = SnapshotStatus.FAILED
    await failed.save()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    query = """query($id: ID!, $c: String, $s: SnapshotStatus, $after: String) {
      project(id: $id) { snapshots(clusterName: $c, status: $s, first: 4, after: $after) {
        totalCount pageInfo { endCursor hasNextPage }
        nodes { scheduledTime status cluster { name } } } } }"""
    body = await gql(query, owner, {"id": project.id})
    conn = body["data"]["project"]["snapshots"]
    assert conn["totalCount"] == 6
    times = [n["scheduledTime"] for n in conn["nodes"]]
    assert times == sorted(times, reverse=True), "newest first"
    rest = await gql(query, owner, {"id": project.id, "after": conn["pageInfo"]["endCursor"]})
    assert len(rest["data"]["project"]["snapshots"]["nodes"]) == 2
    only_b = await gql(query, owner, {"id": project.id, "c": "b", "s": "FAILED"})
    assert only_b["data"]["project"]["snapshots"]["nodes"] == [
        {"scheduledTime": failed.scheduled_time.isoformat(), "status": "FAILED",
         "cluster": {"name": "b"}}
    ]  # fmt: skip


async def test_cluster_backup_tab(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    created = NOW - timedelta(days=9, hours=3)
    cluster = await world.cluster(project, "tab", created_at=created, region="eu-central-1")
    await world.completed_snapshots(cluster, 8)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(
        """query($id: ID!) { cluster(projectId: $id, name: "tab") {
            snapshotStorageLocation { id }
            backupPolicy { retainedSnapshots frequencyIntervalHours snapshotTimeOfDayUtc
              firstSnapshotTime nextSnapshotTime
              customPolicies { supported reason } onDemandSnapshots { supported reason } }
            snapshots(first: 5) { totalCount pageInfo { hasNextPage endCursor }
              nodes { scheduledTime } }
        } }""",
        owner,
        {"id": project.id},
    )
    c = body["data"]["cluster"]
    assert c["snapshotStorageLocation"] == {"id": "GERMANY"}
    policy = c["backupPolicy"]
    assert policy["retainedSnapshots"] == 8 and policy["frequencyIntervalHours"] == 24
    assert policy["snapshotTimeOfDayUtc"] == created.time().isoformat(timespec="seconds")
    assert policy["nextSnapshotTime"] == (created + timedelta(days=10)).isoformat()
    for flag in ("customPolicies", "onDemandSnapshots"):
        assert policy[flag]["supported"] is False
        assert "M10" in policy[flag]["reason"]
    assert c["snapshots"]["totalCount"] == 8
    assert len(c["snapshots"]["nodes"]) == 5
    cursor = c["snapshots"]["pageInfo"]["endCursor"]
    body = await gql(
        """query($id: ID!, $after: String) { cluster(projectId: $id, name: "tab") {
            snapshots(first: 5, after: $after) { pageInfo { hasNextPage } nodes { id } } } }""",
        owner,
        {"id": project.id, "after": cursor},
    )
    rest = body["data"]["cluster"]["snapshots"]
    assert len(rest["nodes"]) == 3 and rest["pageInfo"]["hasNextPage"] is False


async def test_storage_locations_as_data(gql: GraphQLClient, world: World) -> None:
    actor = await world.actor()
    body = await gql("{ storageLocations { id name countries isDefault } }", actor)
    rows = {r["id"]: r for r in body["data"]["storageLocations"]}
    assert set(rows) == {"AUSTRALIA", "GERMANY", "ASIA", "USA", "IRELAND"}
    assert "HK" in rows["AUSTRALIA"]["countries"]
    assert rows["ASIA"]["countries"] == ["IN", "SG", "TW"]
    assert rows["IRELAND"]["isDefault"] is True
    body = await gql(
        "{ regions(provider: AZURE) { code country snapshotStorageLocation { id } } }", actor
    )
    eastasia = next(r for r in body["data"]["regions"] if r["code"] == "eastasia")
    assert eastasia == {"code": "eastasia", "country": "HK",
                        "snapshotStorageLocation": {"id": "AUSTRALIA"}}  # fmt: skip
