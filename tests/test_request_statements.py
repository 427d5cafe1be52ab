"""The two screens the benchmark times cost three SQL statements each,
API-key check included, whatever the page size."""

from __future__ import annotations

from typing import Any

from bench.queries import BACKUP_TAB, DAILY_SNAPSHOTS
from graphql_api.domain.roles import ProjectRole
from tests.conftest import GraphQLClient, World
from tests.sqlcount import count_statements

# (a) key check (key, user, roles in one statement), the cluster with its
# project, its page of snapshots with their count.
BACKUP_TAB_STATEMENTS = 3
# (b) key check, the project, the page of snapshots with their clusters.
DAILY_STATEMENTS = 3


async def _statements(gql: GraphQLClient, actor: Any, query: str, variables: dict) -> int:
    with count_statements() as statements:
        body = await gql(query, actor, variables)
    assert "errors" not in body, body
    return len(statements)


async def test_backup_tab_and_all_daily_snapshots_statement_counts(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    clusters = [await world.cluster(project, f"c{i}") for i in range(3)]
    for cluster in clusters:
        await world.completed_snapshots(cluster, 8)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await gql("{ viewer { id } }", owner)  # a key's first use also records it was used

    tab = {"projectId": project.id, "name": "c1"}
    small = await _statements(gql, owner, BACKUP_TAB, {**tab, "first": 2})
    large = await _statements(gql, owner, BACKUP_TAB, {**tab, "first": 8})
    assert small == large == BACKUP_TAB_STATEMENTS

    daily = {"projectId": project.id}
    small = await _statements(gql, owner, DAILY_SNAPSHOTS, {**daily, "first": 2})
    large = await _statements(gql, owner, DAILY_SNAPSHOTS, {**daily, "first": 24})
    assert small == large == DAILY_STATEMENTS
