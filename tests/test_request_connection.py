"""A /graphql request's statements share one PostgreSQL connection, and a
transaction inside a request never waits for a second one (a full pool would
then starve). SQLite has a single connection: nothing to check there."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import connections
from tortoise.transactions import in_transaction

from graphql_api.web.connection import OneConnectionPerRequest

PID = "SELECT pg_backend_pid() AS pid"
# Two of these at once take two connections unless the request holds one.
SLOW_PID = "SELECT pg_backend_pid() AS pid, pg_sleep(0.02)"


@pytest.fixture
def postgres(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("one connection per request applies to PostgreSQL only")


async def _pid(sql: str = PID) -> int:
    return int((await connections.get("default").execute_query_dict(sql))[0]["pid"])


async def _endpoint(request: Request) -> JSONResponse:
    before = await asyncio.gather(_pid(SLOW_PID), _pid(SLOW_PID))
    async with in_transaction() as tx:
        await asyncio.sleep(0.05)  # every request holds its transaction at once
        inside = int((await tx.execute_query_dict(PID))[0]["pid"])
    return JSONResponse({"before": before, "inside": inside, "after": await _pid()})


def _client() -> httpx.AsyncClient:
    app = Starlette(
        routes=[
            Route("/graphql", _endpoint),
            Route("/api/atlas/v2/groups/{g}/flexClusters", _endpoint),
            Route("/other", _endpoint),
        ],
        middleware=[Middleware(OneConnectionPerRequest)],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.mark.parametrize("path", ["/graphql", f"/api/atlas/v2/groups/{'a' * 24}/flexClusters"])
async def test_statements_of_a_request_share_one_connection(postgres: None, path: str) -> None:
    async with _client() as http:
        body = (await http.get(path)).json()
    first, second = body["before"]
    assert first == second


async def test_other_paths_take_a_connection_per_statement(postgres: None) -> None:
    """The check above can fail: without the middleware, two statements at once
    run on two connections."""
    async with _client() as http:
        body = (await http.get("/other")).json()
    first, second = body["before"]
    assert first != second


async def test_many_requests_with_transactions_do_not_starve_the_pool(postgres: None) -> None:
    async with _client() as http:
        answers = await asyncio.wait_for(
            asyncio.gather(*[http.get("/graphql") for _ in range(12)]), timeout=30
        )
    assert all(a.status_code == 200 for a in answers)
