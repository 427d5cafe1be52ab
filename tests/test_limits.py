"""Every request limit, each tried with a hostile request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.settings import Settings, get_settings
from tests.conftest import NOW, Actor, World


def _client(**overrides: object) -> httpx.AsyncClient:
    settings = get_settings().model_copy(update=overrides)
    app = create_app(settings, manage_orm=False, clock=lambda: NOW)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def actor(world: World) -> Actor:
    return await world.actor()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with _client() as c:
        yield c


async def _post(http: httpx.AsyncClient, actor: Actor, query: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers=actor.headers)


async def test_query_depth_is_limited(http: httpx.AsyncClient, actor: Actor) -> None:
    hop = "organization { projects { nodes { "
    query = "{ viewer { projects { nodes { " + hop * 6 + "id" + " } } }" * 6 + " } } } }"
    body = (await _post(http, actor, query)).json()
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_token_count_is_limited(http: httpx.AsyncClient, actor: Actor) -> None:
    query = "{ viewer { " + "id " * 3000 + "} }"
    body = (await _post(http, actor, query)).json()
    assert "token" in body["errors"][0]["message"].lower()


async def test_aliases_are_limited(http: httpx.AsyncClient, actor: Actor) -> None:
    query = "{ " + " ".join(f"a{i}: storageLocations {{ id }}" for i in range(40)) + " }"
    body = (await _post(http, actor, query)).json()
    assert "aliases" in body["errors"][0]["message"].lower()


async def test_body_size_is_limited(http: httpx.AsyncClient, actor: Actor) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "' + b" " * 300_000 + b'{ viewer { id } }"}',
        headers={**actor.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_slow_requests_time_out(
    world: World, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(5)

    monkeypatch.setattr("graphql_api.schema.pagination.read_pages", slow)
    async with _client(request_timeout_seconds=0.2) as http:
        response = await _post(http, actor, "{ viewer { projects { nodes { id } } } }")
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


@pytest.mark.parametrize("environment", ["production", "development"])
async def test_unexpected_errors_are_masked_in_production(
    actor: Actor, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("graphql_api.schema.pagination.read_pages", broken)
    async with _client(environment=environment, signing_key="k") as http:
        response = await _post(http, actor, "{ viewer { projects { nodes { id } } } }")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert len(error["extensions"]["errorId"]) == 32
    assert ("secret internal detail" in error["message"]) is (environment == "development")


async def test_production_hides_introspection_and_graphiql(actor: Actor) -> None:
    async with _client(environment="production", signing_key="k") as http:
        body = (await _post(http, actor, "{ __schema { types { name } } }")).json()
        assert "introspection" in body["errors"][0]["message"].lower()
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "graphiql" not in page.text.lower()
    async with _client(environment="production", signing_key="k",
                       introspection_enabled=True) as http:  # fmt: skip
        body = (await _post(http, actor, "{ __schema { queryType { name } } }")).json()
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_cors_allows_only_listed_origins() -> None:
    async with _client(cors_allowed_origins=["https://console.example"]) as http:
        preflight = {"Access-Control-Request-Method": "POST"}
        ok = await http.options(
            "/graphql", headers={**preflight, "Origin": "https://console.example"}
        )
        assert ok.headers["access-control-allow-origin"] == "https://console.example"
        evil = await http.options(
            "/graphql", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in evil.headers


def test_settings_defaults_are_the_documented_ones() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (s.max_query_depth, s.max_query_tokens, s.max_aliases) == (15, 2000, 30)
    assert (s.max_body_bytes, s.request_timeout_seconds, s.max_page_size) == (262144, 30.0, 100)
