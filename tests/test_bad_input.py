"""A careless or hostile client's input: always a clear 4xx or a coded error, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import Project
from tests.conftest import Actor, World

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
async def http(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    yield client


@pytest.fixture
async def setup(world: World) -> tuple[Project, Actor]:
    org = await world.org()
    project = await world.project(org)
    await world.completed_snapshots(await world.cluster(project, "alpha"), 2)
    owner = await world.actor(
        project=project, role=ProjectRole.PROJECT_OWNER, org=org, org_role=OrgRole.ORG_OWNER
    )
    return project, owner


def _codes(response: httpx.Response) -> list[str | None]:
    body = response.json()
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


async def _raw(http: httpx.AsyncClient, actor: Actor, body: bytes) -> httpx.Response:
    headers = {**actor.headers, "Content-Type": "application/json"}
    return await http.post("/graphql", content=body, headers=headers)


@pytest.mark.parametrize("body", [b"null", b"true", b"5", b'"x"', b"[]", b"3.5e1"])
async def test_a_body_that_is_a_bare_json_value_is_a_400(
    http: httpx.AsyncClient, setup: tuple[Project, Actor], body: bytes
) -> None:
    _, owner = setup
    response = await _raw(http, owner, body)
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]
    assert "JSON object" in response.json()["errors"][0]["message"]


async def test_a_body_of_invalid_utf8_is_a_400(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    response = await _raw(http, owner, b'{"query": "{ viewer { email } }\xff\xfe"}')
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]


async def test_variables_nested_too_deep_are_a_400(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    deep = "[" * 100_000 + "]" * 100_000
    body = '{"query": "query($v: String) { viewer { email } }", "variables": {"v": %s}}' % deep
    response = await _raw(http, owner, body.encode())
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]


async def test_the_connection_survives_a_bad_body(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    assert (await _raw(http, owner, b"null")).status_code == 400
    ok = await http.post("/graphql", json={"query": "{ viewer { email } }"}, headers=owner.headers)
    assert ok.status_code == 200 and ok.json()["data"]["viewer"]["email"] == owner.user.email


async def test_a_subscription_over_post_is_refused_with_a_code(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    query = 'subscription { restoreJobProgress(jobId: "0123456789abcdef01234567") { id } }'
    response = await http.post("/graphql", json={"query": query}, headers=owner.headers)
    assert response.status_code in (400, 405)
    assert _codes(response) == ["BAD_REQUEST"]


async def _gql(
    http: httpx.AsyncClient, actor: Actor, query: str, variables: dict[str, object]
) -> dict:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=actor.headers
    )
    assert response.status_code < 500, response.text
    return response.json()


def _error_codes(body: dict) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


HOSTILE_STRINGS = ["nul\x00byte", "x" * 65, "y" * 300, "e" * 250 + "@x.example"]


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=["nul", "65", "300", "long-email"])
async def test_hostile_strings_are_refused_or_not_found_never_500(
    http: httpx.AsyncClient, setup: tuple[Project, Actor], value: str
) -> None:
    project, owner = setup
    operations = [
        ("query($p: ID!, $n: String!) { cluster(projectId: $p, name: $n) { id } }",
         {"p": project.id, "n": value}),
        ("query($p: ID!, $n: String!) { project(id: $p) { cluster(name: $n) { id } } }",
         {"p": project.id, "n": value}),
        ("query($p: ID!, $n: String!) { project(id: $p) { snapshots(clusterName: $n)"
         " { nodes { id } } } }", {"p": project.id, "n": value}),
        ("mutation($p: ID!, $e: String!) { addProjectOwner(projectId: $p, userEmail: $e)"
         " { project { id } } }", {"p": project.id, "e": value}),
        ("mutation($p: ID!, $n: String!) { takeOnDemandSnapshot(projectId: $p, clusterName: $n)"
         " { userErrors { code } } }", {"p": project.id, "n": value}),
    ]  # fmt: skip
    for query, variables in operations:
        body = await _gql(http, owner, query, variables)
        codes = _error_codes(body)
        assert "INTERNAL_SERVER_ERROR" not in codes, (query, body)
        assert codes <= {"BAD_USER_INPUT", "NOT_FOUND"}, (query, body)


@pytest.mark.parametrize(
    "bad_id",
    ["0123456789abcdef01234567\n", "abc", "0123456789ABCDEF01234567", "x" * 24, "\x00" * 24],
    ids=["trailing-newline", "short", "uppercase", "not-hex", "nul"],
)
async def test_every_id_argument_is_validated_alike(
    http: httpx.AsyncClient, setup: tuple[Project, Actor], bad_id: str
) -> None:
    project, owner = setup
    operations = [
        "query($i: ID!) { project(id: $i) { id } }",
        'query($i: ID!) { cluster(projectId: $i, name: "alpha") { id } }',
        "query($i: ID!) { snapshot(id: $i) { id } }",
        "query($i: ID!) { backupJob(id: $i) { id } }",
        'query($i: ID!) { cluster(projectId: "%s", name: "alpha") { snapshot(id: $i) { id } } }'
        % project.id,
        'query($i: ID!) { project(id: "%s") { cluster(name: "alpha") {'
        " snapshot(id: $i) { id } } } }" % project.id,
        "mutation($i: ID!) { downloadSnapshot(snapshotId: $i) { job { id } } }",
        "mutation($i: ID!) { revokeDownload(jobId: $i) { job { id } } }",
        "mutation($i: ID!) { addProjectOwner(projectId: $i) { project { id } } }",
    ]
    for query in operations:
        body = await _gql(http, owner, query, {"i": bad_id})
        assert _error_codes(body) == {"INVALID_ID"}, (query, body)


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


HOSTILE_CURSORS = {
    "deep": base64.urlsafe_b64encode(b"[" * 50_000).decode(),
    "nulls": _cursor([None, None]),
    "wrong-types": _cursor([{"a": 1}, [1]]),
    "numbers": _cursor([1, 2]),
    "too-long": _cursor(["a", "b", "c"]),
    "not-base64": "!!!",
    "empty": "",
    "over-long-id": _cursor(["2026-11-20T12:00:00+00:00", "0" * 25]),
    "huge-int": _cursor([10**400, "x"]),
}

CONNECTIONS = [
    "viewer { projects(%s) { nodes { id } } }",
    "viewer { organizations(%s) { nodes { id } } }",
    "viewer { organizations { nodes { projects(%s) { nodes { id } } } } }",
    'project(id: "{p}") { clusters(%s) { nodes { id } } }',
    'project(id: "{p}") { cloudBackupClusters(%s) { nodes { id } } }',
    'project(id: "{p}") { snapshots(%s) { nodes { id } } }',
    'project(id: "{p}") { restoreJobs(%s) { nodes { id } } }',
    'project(id: "{p}") { downloadJobs(%s) { nodes { id } } }',
    'project(id: "{p}") { auditEvents(%s) { nodes { id } } }',
    'project(id: "{p}") { clusters { nodes { snapshots(%s) { nodes { id } } } } }',
    'project(id: "{p}") { clusters { nodes { restoreJobs(%s) { nodes { id } } } } }',
    'project(id: "{p}") { clusters { nodes { downloadJobs(%s) { nodes { id } } } } }',
]


@pytest.mark.parametrize("cursor", list(HOSTILE_CURSORS.values()), ids=list(HOSTILE_CURSORS))
async def test_hostile_cursors_on_every_connection_are_bad_user_input(
    http: httpx.AsyncClient, setup: tuple[Project, Actor], cursor: str
) -> None:
    project, owner = setup
    for shape in CONNECTIONS:
        for direction in ("after", "before"):
            field = shape.replace("{p}", project.id) % f"{direction}: $c"
            body = await _gql(http, owner, "query($c: String) { %s }" % field, {"c": cursor})
            assert _error_codes(body) == {"BAD_USER_INPUT"}, (field, body)


async def test_a_cursor_whose_date_is_no_date_is_bad_user_input(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    project, owner = setup
    for cursor in (_cursor(["not a date", "0" * 24]), _cursor(["2026-11-20T12:00:00", "0" * 24])):
        for field in ("snapshots", "clusters { nodes { snapshots"):
            closing = " } }" if "{" in field else ""
            query = 'query($c: String) { project(id: "%s") { %s(after: $c) { nodes { id } }%s } }'
            body = await _gql(http, owner, query % (project.id, field, closing), {"c": cursor})
            assert _error_codes(body) == {"BAD_USER_INPUT"}, (field, body)


@pytest.mark.parametrize("value", [1e30, 2**31, -(2**31) - 1, 1.5, "7", True])
async def test_a_value_that_is_no_int_is_a_coded_error(
    http: httpx.AsyncClient, setup: tuple[Project, Actor], value: object
) -> None:
    _, owner = setup
    body = await _gql(
        http,
        owner,
        "query($n: Int) { viewer { projects(first: $n) { nodes { id } } } }",
        {"n": value},
    )
    assert _error_codes(body) == {"BAD_USER_INPUT"}, body


async def test_a_float_literal_for_an_int_is_a_validation_error(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    body = await _gql(http, owner, "{ viewer { projects(first: 1e30) { nodes { id } } } }", {})
    assert _error_codes(body) == {"GRAPHQL_VALIDATION_FAILED"}, body


async def test_parse_and_validation_errors_carry_codes(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    _, owner = setup
    parse = await _gql(http, owner, "{ viewer { ", {})
    assert _error_codes(parse) == {"GRAPHQL_PARSE_FAILED"}, parse
    unknown_enum = await _gql(
        http,
        owner,
        "query($p: ID!) { project(id: $p) { clusters(tier: M7) { nodes { id } } } }",
        {"p": "0" * 24},
    )
    assert _error_codes(unknown_enum) == {"GRAPHQL_VALIDATION_FAILED"}, unknown_enum
    unknown_field = await _gql(http, owner, "{ viewer { nope } }", {})
    assert _error_codes(unknown_field) == {"GRAPHQL_VALIDATION_FAILED"}, unknown_field
    bad_variable = await _gql(
        http,
        owner,
        "query($t: ClusterTier) { viewer { email } }",
        {"t": "M7"},
    )
    assert _error_codes(bad_variable) == {"BAD_USER_INPUT"}, bad_variable


async def test_half_a_character_in_variables_is_a_400(
    http: httpx.AsyncClient, setup: tuple[Project, Actor]
) -> None:
    """JSON can escape a lone surrogate ("\\ud800"), which no database stores:
    refused with the body, before any resolver writes it (it was a 500)."""
    _, owner = setup
    query = "mutation($d: String!) { createApiKeyPair(description: $d) { privateKey } }"
    body = b'{"query": "%s", "variables": {"d": "x\\ud800"}}' % query.encode()
    response = await _raw(http, owner, body)
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]
