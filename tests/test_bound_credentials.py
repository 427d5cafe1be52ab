"""A credential an Organization Owner makes for a member acts in that
organization only: the owner's right to it was checked there, nowhere else.
The holder's own credentials, and those the CLI operator makes, act wherever
the holder holds roles."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import httpx

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import ApiKey, ApiKeyPair, Organization, Project
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.services import accounts
from graphql_api.services.api_keys import create_api_key
from graphql_api.services.authentication import operator_principal
from tests.conftest import NOW, Actor, GraphQLClient, World
from tests.live_server import run_cli
from tests.rest_client import API

CREATE_KEY = """mutation($d: String!, $e: String) { createApiKey(description: $d, userEmail: $e) {
  token apiKey { id organizationId } } }"""
CREATE_PAIR = """mutation($d: String!, $e: String) {
  createApiKeyPair(description: $d, userEmail: $e) {
    privateKey apiKeyPair { id publicKey organizationId } } }"""
MY_CREDENTIALS = """query { viewer {
  apiKeys { nodes { id organizationId } } apiKeyPairs { nodes { id organizationId } } } }"""


@dataclass
class Orgs:
    """The reviewer's repro: A's owner, and X, a member of A who is also
    Project Owner of a project in B, an organization the owner is not in."""

    a: Organization
    in_a: Project
    in_b: Project
    owner: Actor
    x: Actor


async def _orgs(world: World) -> Orgs:
    a, b = await world.org(), await world.org()
    in_a, in_b = await world.project(a), await world.project(b)
    owner = await world.actor(org=a, org_role=OrgRole.ORG_OWNER)
    x = await world.actor(org=a, org_role=OrgRole.ORG_MEMBER)
    await world.actor()  # someone else, so ids are not the only rows
    await accounts.grant_project_role(x.user, in_a, ProjectRole.PROJECT_READ_ONLY)
    await accounts.grant_project_role(x.user, in_b, ProjectRole.PROJECT_OWNER)
    return Orgs(a, in_a, in_b, owner, x)


def _payload(body: dict) -> dict:
    assert "errors" not in body, body
    [payload] = body["data"].values()
    return payload


async def _list(
    client: httpx.AsyncClient, project: Project, auth: httpx.Auth | None = None,
    token: str | None = None,
) -> int:  # fmt: skip
    headers = {"Accept": MEDIA_TYPE}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.get(
        f"{API}/groups/{project.id}/flexClusters", headers=headers, auth=auth
    )
    return response.status_code


async def _bearer(client: httpx.AsyncClient, project: Project, token: str) -> int:
    return await _list(client, project, token=token)


async def _oauth_token(client: httpx.AsyncClient, public_key: str, private_key: str) -> str:
    answer = await client.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"},
        auth=(public_key, private_key),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def test_a_pair_an_owner_makes_for_a_member_acts_in_that_organization_only(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    orgs = await _orgs(world)
    made = _payload(await gql(CREATE_PAIR, orgs.owner, {"d": "ci", "e": orgs.x.user.email}))
    public, private = made["apiKeyPair"]["publicKey"], made["privateKey"]
    assert made["apiKeyPair"]["organizationId"] == orgs.a.id
    digest = httpx.DigestAuth(public, private)
    # Where the owner's own key gets 404, the pair they made gets the same.
    assert await _bearer(client, orgs.in_b, orgs.owner.token) == 404
    assert await _list(client, orgs.in_b, auth=digest) == 404
    assert await _list(client, orgs.in_a, auth=digest) == 200
    # X sees it among their pairs, limited to A.
    listed = (await gql(MY_CREDENTIALS, orgs.x))["data"]["viewer"]["apiKeyPairs"]["nodes"]
    assert listed == [{"id": made["apiKeyPair"]["id"], "organizationId": orgs.a.id}]


async def test_an_oauth_token_from_such_a_pair_acts_in_that_organization_only(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    orgs = await _orgs(world)
    made = _payload(await gql(CREATE_PAIR, orgs.owner, {"d": "ci", "e": orgs.x.user.email}))
    token = await _oauth_token(client, made["apiKeyPair"]["publicKey"], made["privateKey"])
    assert await _bearer(client, orgs.in_b, token) == 404
    assert await _bearer(client, orgs.in_a, token) == 200
    # Nor through GraphQL: in B it is refused.
    body = await gql(
        """mutation($p: ID!) { addProjectOwner(projectId: $p) { project { id } } }""",
        Actor(user=orgs.x.user, token=token),
        {"p": orgs.in_b.id},
    )
    assert "errors" in body, body


async def test_an_api_key_an_owner_makes_for_a_member_acts_in_that_organization_only(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    orgs = await _orgs(world)
    made = _payload(await gql(CREATE_KEY, orgs.owner, {"d": "ci", "e": orgs.x.user.email}))
    assert made["apiKey"]["organizationId"] == orgs.a.id
    assert await _bearer(client, orgs.in_b, made["token"]) == 404
    assert await _bearer(client, orgs.in_a, made["token"]) == 200
    # Nor does it mint X an unlimited credential: what it makes is limited to A too.
    bound = Actor(user=orgs.x.user, token=made["token"])
    again = _payload(await gql(CREATE_KEY, bound, {"d": "mine"}))
    assert again["apiKey"]["organizationId"] == orgs.a.id
    assert await _bearer(client, orgs.in_b, again["token"]) == 404
    pair = _payload(await gql(CREATE_PAIR, bound, {"d": "mine"}))
    assert pair["apiKeyPair"]["organizationId"] == orgs.a.id
    digest = httpx.DigestAuth(pair["apiKeyPair"]["publicKey"], pair["privateKey"])
    assert await _list(client, orgs.in_b, auth=digest) == 404
    # GraphQL sees A's organization alone.
    seen = await gql("{ viewer { organizations { nodes { id } } } }", bound)
    assert seen["data"]["viewer"]["organizations"]["nodes"] == [{"id": orgs.a.id}]


async def test_the_holders_own_credentials_still_act_everywhere(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    orgs = await _orgs(world)
    assert await _bearer(client, orgs.in_b, orgs.x.token) == 200
    key = _payload(await gql(CREATE_KEY, orgs.x, {"d": "mine"}))
    pair = _payload(await gql(CREATE_PAIR, orgs.x, {"d": "mine"}))
    assert key["apiKey"]["organizationId"] is None
    assert pair["apiKeyPair"]["organizationId"] is None
    digest = httpx.DigestAuth(pair["apiKeyPair"]["publicKey"], pair["privateKey"])
    for project in (orgs.in_a, orgs.in_b):
        assert await _bearer(client, project, key["token"]) == 200
        assert await _list(client, project, auth=digest) == 200
        token = await _oauth_token(client, pair["apiKeyPair"]["publicKey"], pair["privateKey"])
        assert await _bearer(client, project, token) == 200


async def test_the_operator_makes_unlimited_credentials_and_listings_show_limits(
    world: World, client: httpx.AsyncClient, database_url: str, gql: GraphQLClient
) -> None:
    orgs = await _orgs(world)
    issued = await create_api_key(operator_principal(), NOW, user_email=orgs.x.user.email)
    assert issued.api_key.organization_id is None
    assert await _bearer(client, orgs.in_b, issued.token) == 200
    _payload(await gql(CREATE_KEY, orgs.owner, {"d": "by owner", "e": orgs.x.user.email}))
    _payload(await gql(CREATE_PAIR, orgs.owner, {"d": "by owner", "e": orgs.x.user.email}))
    env = {**os.environ, "DATABASE_URL": database_url}
    done = run_cli(env, "create-api-key-pair", "--email", orgs.x.user.email)
    assert done.returncode == 0, done.stderr
    keys = run_cli(env, "list-api-keys", "--email", orgs.x.user.email, "--json")
    assert keys.returncode == 0, keys.stderr
    limits = {k["description"]: k["organization_id"] for k in json.loads(keys.stdout)}
    assert limits == {"": None, "by owner": orgs.a.id}
    pairs = run_cli(env, "list-api-key-pairs", "--email", orgs.x.user.email, "--json")
    assert pairs.returncode == 0, pairs.stderr
    limits = {p["description"]: p["organization_id"] for p in json.loads(pairs.stdout)}
    assert limits == {"": None, "by owner": orgs.a.id}
    stored = await ApiKeyPair.filter(user=orgs.x.user).values_list("description", "organization_id")
    assert sorted(stored, key=str) == sorted([("", None), ("by owner", orgs.a.id)], key=str)
    assert await ApiKey.filter(user=orgs.x.user, organization_id=None).count() == 2
