"""The SQL statements of a request do not grow with the rows it returns."""

from datetime import timedelta

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import BackupJob, DeliveryType
from graphql_api.services import accounts
from tests.conftest import NOW, GraphQLClient, World, job_row
from tests.sqlcount import count_statements

QUERY = """
query($id: ID!, $first: Int) {
  project(id: $id) {
    organization { name }
    clusters(first: $first) {
      totalCount
      nodes {
        name snapshotStorageLocation { name } backupPolicy { nextSnapshotTime }
        stateName mongoDBVersion tags { key } deletedAt providerSettings { diskSizeGB }
        connectionStrings { standard } replicaSet { hosts credentialsSet }
        project { name }
        nodes { hostname role healthy replicationLagMs }
        snapshots(first: 8) { totalCount nodes { id status sizeBytes cluster { name } } }
      }
    }
    snapshots(first: 50) { nodes { id cluster { name deleted } } }
  }
}
"""


async def _statements_for(gql: GraphQLClient, world: World, clusters: int) -> tuple[int, int]:
    project = await world.project()
    for i in range(clusters):
        await world.completed_snapshots(await world.cluster(project, f"c{i:03d}"), 3)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    with count_statements() as statements:
        body = await gql(QUERY, owner, {"id": project.id, "first": clusters})
    assert "errors" not in body, body
    returned = len(body["data"]["project"]["clusters"]["nodes"])
    assert returned == clusters
    return len(statements), returned


async def test_statement_count_is_flat_from_2_to_50_clusters(
    gql: GraphQLClient, world: World
) -> None:
    small, _ = await _statements_for(gql, world, 2)
    large, _ = await _statements_for(gql, world, 50)
    assert small == large, f"{small} statements for 2 clusters, {large} for 50"
    assert small <= 15


JOBS_QUERY = """
query($id: ID!, $first: Int) {
  project(id: $id) {
    clusters(first: $first) {
      nodes {
        name
        restoreJobs(first: 5) { totalCount nodes { id } }
        downloadJobs(first: 5) { totalCount nodes { id } }
      }
    }
  }
}
"""


async def _job_statements_for(gql: GraphQLClient, world: World, clusters: int) -> int:
    project = await world.project()
    made = [await world.cluster(project, f"c{i:03d}") for i in range(clusters)]
    rows = []
    for i, cluster in enumerate(made):
        target = made[(i + 1) % clusters]  # a restore from each cluster into the next
        for n, (kind, into) in enumerate(
            [(DeliveryType.RESTORE, cluster), (DeliveryType.RESTORE, target)]
            + [(DeliveryType.DOWNLOAD, None)] * 7
        ):
            rows.append(job_row(kind, cluster, NOW - timedelta(minutes=n), into))
    await BackupJob.bulk_create(rows)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    with count_statements() as statements:
        body = await gql(JOBS_QUERY, owner, {"id": project.id, "first": clusters})
    assert "errors" not in body, body
    nodes = body["data"]["project"]["clusters"]["nodes"]
    assert len(nodes) == clusters
    for node in nodes:  # its own restore into itself, and the one into it from its neighbour
        assert node["restoreJobs"]["totalCount"] == 3
        assert len(node["restoreJobs"]["nodes"]) == 3
        assert node["downloadJobs"]["totalCount"] == 7
        assert len(node["downloadJobs"]["nodes"]) == 5
    return len(statements)


async def test_job_lists_of_clusters_are_batched(gql: GraphQLClient, world: World) -> None:
    small = await _job_statements_for(gql, world, 2)
    large = await _job_statements_for(gql, world, 20)
    assert small == large, f"{small} statements for 2 clusters, {large} for 20"


NESTED = """
query($first: Int) {
  viewer {
    organizations { totalCount nodes { name projects(first: $first) { totalCount nodes { id } } } }
    projects(first: $first) {
      totalCount
      nodes {
        id name organization { name }
        cluster(name: "c000") { name }
        clusters(first: $first) {
          totalCount
          nodes {
            name tier snapshotStorageLocation { name } backupPolicy { nextSnapshotTime }
            project { name } nodes { hostname }
            snapshots(first: $first) { totalCount nodes { id status cluster { name } } }
            restoreJobs(first: $first) { totalCount nodes { id } }
            downloadJobs(first: $first) { totalCount nodes { id snapshotUrl } }
          }
        }
        cloudBackupClusters(first: $first) { totalCount nodes { name } }
        snapshots(first: $first) { totalCount nodes { id cluster { name } } }
        restoreJobs(first: $first) { totalCount nodes { id } }
        downloadJobs(first: $first) { totalCount nodes { id } }
        auditEvents(first: $first) { totalCount nodes { id } }
      }
    }
  }
}
"""


async def _nested_statements(
    gql: GraphQLClient, world: World, projects: int, clusters: int, page: int
) -> int:
    org = await world.org()
    owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    for _ in range(projects):
        project = await world.project(org)
        await accounts.grant_project_role(owner.user, project, ProjectRole.PROJECT_OWNER)
        made = [await world.cluster(project, f"c{i:03d}") for i in range(clusters)]
        for cluster in made:
            await world.completed_snapshots(cluster, 3)
        await BackupJob.bulk_create(
            [job_row(kind, c, NOW, c if kind is DeliveryType.RESTORE else None)
             for c in made for kind in DeliveryType]
        )  # fmt: skip
    with count_statements() as statements:
        body = await gql(NESTED, owner, {"first": page})
    assert "errors" not in body, body
    listed = body["data"]["viewer"]["projects"]
    assert listed["totalCount"] == projects
    shown = min(page, projects)
    assert len(listed["nodes"]) == shown
    for node in listed["nodes"]:
        assert node["clusters"]["totalCount"] == clusters
        assert len(node["clusters"]["nodes"]) == min(page, clusters)
        for cluster in node["clusters"]["nodes"]:
            assert cluster["snapshots"]["totalCount"] == 3
            assert len(cluster["restoreJobs"]["nodes"]) == 1
    return len(statements)


async def test_statements_do_not_grow_with_parents_rows_or_page_size(
    gql: GraphQLClient, world: World
) -> None:
    """Every connection nested under a list is read for all its parents at once."""
    small = await _nested_statements(gql, world, projects=2, clusters=2, page=5)
    many_projects = await _nested_statements(gql, world, projects=10, clusters=2, page=20)
    many_clusters = await _nested_statements(gql, world, projects=2, clusters=20, page=50)
    assert small == many_projects == many_clusters, (small, many_projects, many_clusters)
    assert small <= 40, small  # 3 per connection kind (ids, rows, count), auth, lookups
