"""The two screens the benchmark times cost two SQL statements each once
the caller is kept (PostgreSQL), three when the API-key check reads it,
whatever the page size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bench.queries import BACKUP_TAB, DAILY_SNAPSHOTS
from graphql_api.db import postgres_dsn
from graphql_api.domain.roles import ProjectRole
from tests import principals
from tests.conftest import GraphQLClient, World
from tests.sqlcount import count_statements

# (a) the cluster with its project, its page of snapshots with their count;
# (b) the project, the page of snapshots with their clusters. Plus, unless the
# caller is kept, the key check (key, user, roles in one statement).
BACKUP_TAB_STATEMENTS = 2
DAILY_STATEMENTS = 2
KEY_CHECK = 1


async def _statements(gql: GraphQLClient, actor: Any, query: str, variables: dict) -> int:
    with count_statements() as statements:
        body = await gql(query, actor, variables)
    assert "errors" not in body, body
    return len(statements)


@pytest.fixture(params=["read", "kept"])
async def key_check(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[int]:
    """The statements the key check costs: one when it reads the caller, none
    when the caller is kept (PostgreSQL, listening as the app does)."""
    if request.param == "read":
        yield KEY_CHECK
        return
    dsn = postgres_dsn(database_url)
    if dsn is None:
        pytest.skip("callers are kept on PostgreSQL only")
    async with principals.listening(dsn):
        yield 0


async def test_backup_tab_and_all_daily_snapshots_statement_counts(
    gql: GraphQLClient, world: World, key_check: int, database_url: str
) -> None:
    project = await world.project()
    clusters = [await world.cluster(project, f"c{i}") for i in range(3)]
    for cluster in clusters:
        await world.completed_snapshots(cluster, 8)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    if key_check == 0 and (dsn := postgres_dsn(database_url)):
        await principals.settled(dsn)  # what making the world notified is heard
    await gql("{ viewer { id } }", owner)  # a key's first use also records it was used

    tab = {"projectId": project.id, "name": "c1"}
    small = await _statements(gql, owner, BACKUP_TAB, {**tab, "first": 2})
    large = await _statements(gql, owner, BACKUP_TAB, {**tab, "first": 8})
    assert small == large == BACKUP_TAB_STATEMENTS + key_check

    daily = {"projectId": project.id}
    small = await _statements(gql, owner, DAILY_SNAPSHOTS, {**daily, "first": 2})
    large = await _statements(gql, owner, DAILY_SNAPSHOTS, {**daily, "first": 24})
    assert small == large == DAILY_STATEMENTS + key_check
