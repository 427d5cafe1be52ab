"""A failing field never turns into an HTTP 500 for the fields that shared a load with it."""

from __future__ import annotations

from graphql_api.domain.roles import ProjectRole
from tests.conftest import GraphQLClient, World

# Found by tests/test_fuzz.py: the inner cluster's `snapshots` fails (first and last),
# graphql-core cancels its sibling `snapshot`, which was awaiting the same load as
# the outer `snapshot`.
QUERY = """query($p: ID!) { cluster(projectId: $p, name: "c1") { name
  project { cluster(name: "c1") { id terminationProtectionEnabled
      snapshots(status: RUNNING, first: 0, after: "c1", last: 0, before: "c1") { totalCount }
      snapshot(id: $p) { sha256 } } }
  snapshot(id: $p) { sourceNodeHostname attempts } } }"""


async def test_a_field_cancelled_by_a_failing_sibling_leaves_shared_loads_alone(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    await world.cluster(project, "c1")
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    for _ in range(30):  # whether the cancel lands mid-load is a matter of timing
        body = await gql(QUERY, owner, {"p": project.id})
        assert body["_status"] == 200
        assert body["data"]["cluster"]["snapshot"] is None  # no such snapshot: null, no crash
        assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
