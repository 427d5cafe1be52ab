"""On-demand snapshots and custom policies: Flex has neither, and says so."""

from __future__ import annotations

import pytest

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.policy import custom_policy_refusal, on_demand_snapshot_refusal
from graphql_api.domain.roles import ORG_OWNER_MUST_JOIN, OrgRole, ProjectRole
from graphql_api.models import Project, Snapshot
from tests.conftest import Actor, GraphQLClient, World

ON_DEMAND = """mutation($p: ID!, $c: String!) {
  takeOnDemandSnapshot(projectId: $p, clusterName: $c) {
  cluster { name backupPolicy { onDemandSnapshots { supported reason } } }
  userErrors { code message field } } }"""
POLICY = """mutation($in: UpdateBackupPolicyInput!) { updateBackupPolicy(input: $in) {
  cluster { name backupPolicy { frequencyIntervalHours retainedSnapshots } }
  userErrors { code message field } } }"""
AUDIT = "query($id: ID!) { project(id: $id) { auditEvents { nodes { action outcome code } } } }"


@pytest.mark.parametrize("tier", list(ClusterTier))
def test_every_tier_gets_a_reason_and_a_way_out(tier: ClusterTier) -> None:
    for refusal in (on_demand_snapshot_refusal("c1", tier), custom_policy_refusal("c1", tier)):
        if tier.is_dedicated:
            assert "c1" in refusal and tier.value in refusal and "Flex" in refusal
        else:
            assert "M10" in refusal


async def _owner_and_flex(world: World) -> tuple[Project, Actor]:
    project = await world.project()
    await world.cluster(project, "flex1")
    return project, await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)


async def test_on_demand_snapshot_is_refused_with_the_upgrade_path(
    gql: GraphQLClient, world: World
) -> None:
    project, owner = await _owner_and_flex(world)
    body = await gql(ON_DEMAND, owner, {"p": project.id, "c": "flex1"})
    payload = body["data"]["takeOnDemandSnapshot"]
    [error] = payload["userErrors"]
    assert error["code"] == "ON_DEMAND_SNAPSHOT_NOT_SUPPORTED"
    assert "M10" in error["message"] and error["field"] == "clusterName"
    assert payload["cluster"]["backupPolicy"]["onDemandSnapshots"]["supported"] is False
    assert await Snapshot.all().count() == 0
    events = (await gql(AUDIT, owner, {"id": project.id}))["data"]["project"]["auditEvents"]
    assert events["nodes"] == [
        {
            "action": "ON_DEMAND_SNAPSHOT_REQUESTED",
            "outcome": "REFUSED",
            "code": "ON_DEMAND_SNAPSHOT_NOT_SUPPORTED",
        }
    ]


async def test_custom_policy_is_refused_and_the_policy_stays(
    gql: GraphQLClient, world: World
) -> None:
    project, owner = await _owner_and_flex(world)
    wanted = {"projectId": project.id, "clusterName": "flex1", "frequencyHours": 6}
    payload = (await gql(POLICY, owner, {"in": wanted}))["data"]["updateBackupPolicy"]
    assert [e["code"] for e in payload["userErrors"]] == ["CUSTOM_POLICY_NOT_SUPPORTED"]
    assert "M10" in payload["userErrors"][0]["message"]
    assert payload["cluster"]["backupPolicy"] == {
        "frequencyIntervalHours": 24,
        "retainedSnapshots": 8,
    }


async def test_dedicated_cluster_is_pointed_elsewhere(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    await world.cluster(project, "big", tier=ClusterTier.M10)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(ON_DEMAND, owner, {"p": project.id, "c": "big"})
    [error] = body["data"]["takeOnDemandSnapshot"]["userErrors"]
    assert "M10 cluster" in error["message"] and "dedicated" in error["message"]


async def test_only_project_owners_may_ask(gql: GraphQLClient, world: World) -> None:
    project, _ = await _owner_and_flex(world)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    org_owner = await world.actor(org=await project.organization, org_role=OrgRole.ORG_OWNER)
    stranger = await world.actor(project=await world.project(), role=ProjectRole.PROJECT_OWNER)
    variables = {"p": project.id, "c": "flex1"}
    refused = await gql(ON_DEMAND, reader, variables)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = await gql(ON_DEMAND, org_owner, variables)
    assert refused["errors"][0]["message"] == ORG_OWNER_MUST_JOIN
    for actor, vars_ in [
        (stranger, variables),
        (reader, {"p": project.id, "c": "no-such-cluster"}),
    ]:
        hidden = await gql(ON_DEMAND, actor, vars_)
        assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert hidden["data"] is None
