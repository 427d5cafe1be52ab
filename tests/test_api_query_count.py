"""The SQL statements of a request do not grow with the rows it returns."""

from graphql_api.domain.roles import ProjectRole
from graphql_api.sqlcount import count_statements
from tests.conftest import GraphQLClient, World

QUERY = """
query($id: ID!, $first: Int) {
  project(id: $id) {
    organization { name }
    clusters(first: $first) {
      totalCount
      nodes {
        name snapshotStorageLocation { name } backupPolicy { nextSnapshotTime }
        project { name }
        nodes { hostname role healthy replicationLagMs }
        snapshots(first: 8) { totalCount nodes { id status sizeBytes cluster { name } } }
      }
    }
    snapshots(first: 50) { nodes { id cluster { name } } }
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
