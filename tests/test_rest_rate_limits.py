"""One request budget per API key, GraphQL and REST together."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.domain.roles import ProjectRole
from graphql_api.settings import Settings
from graphql_api.web import rate_limits
from tests.conftest import NOW, World
from tests.rest_client import Rest


@pytest.fixture
async def limited(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(rate_limits, "seconds", lambda: 600.0)  # 60 s left in this window
    app = create_app(Settings(rate_limit_per_minute=3), manage_orm=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_budget_headers_then_429_shared_with_graphql(
    limited: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rest = Rest(limited)
    project = await world.project()
    me = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    other = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    path = f"/groups/{project.id}/flexClusters"

    first = await rest.get(path, me)
    assert first.status_code == 200
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("3", "2")
    graphql = await limited.post(
        "/graphql", json={"query": "{ viewer { email } }"}, headers=me.headers
    )
    assert graphql.status_code == 200 and graphql.headers["ratelimit-remaining"] == "1"
    assert (await rest.get(path, me)).headers["ratelimit-remaining"] == "0"

    refused = await rest.get(path, me)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    body = refused.json()
    assert body["errorCode"] == "RATE_LIMITED" and body["reason"] == "Too Many Requests"
    graphql = await limited.post(
        "/graphql", json={"query": "{ viewer { email } }"}, headers=me.headers
    )
    assert graphql.status_code == 429
    assert graphql.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"

    assert (await rest.get(path, other)).status_code == 200  # another key has its own budget

    monkeypatch.setattr(rate_limits, "seconds", lambda: 660.0)  # the next minute
    assert (await rest.get(path, me)).headers["ratelimit-remaining"] == "2"
