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


@pytest.fixture
def postgres(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("one connection per request applies to PostgreSQL only")


async def _pid() -> int:
    return int((await connections.get("default").execute_query_dict(PID))[0]["pid"])


async def _endpoint(request: Request) -> JSONResponse:
    before = [await _pid(), await _pid()]
    async with in_transaction() as tx:
        await asyncio.sleep(0.05)  # every request holds its transaction at once
        inside = int((await tx.execute_query_dict(PID))[0]["pid"])
    return JSONResponse({"before": before, "inside": inside, "after": await _pid()})


def _client() -> httpx.AsyncClient:
    app = Starlette(
        routes=[Route("/graphql", _endpoint), Route("/other", _endpoint)],
        middleware=[Middleware(OneConnectionPerRequest, path="/graphql")],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_statements_of_a_request_share_one_connection(postgres: None) -> None:
    async with _client() as http:
        body = (await http.get("/graphql")).json()
    first, second = body["before"]
    assert first == second


async def test_many_requests_with_transactions_do_not_starve_the_pool(postgres: None) -> None:
    async with _client() as http:
        answers = await asyncio.wait_for(
            asyncio.gather(*[http.get("/graphql") for _ in range(12)]), timeout=30
        )
    assert all(a.status_code == 200 for a in answers)
