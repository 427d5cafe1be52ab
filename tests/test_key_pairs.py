"""API key pairs managed through GraphQL and the CLI on one service path:
created with the private key shown once, listed without any secret, revoked
with effect on the very next digest request, and revoked when their holder
leaves; only their holder or an Owner of the holder's organization manages them."""

from __future__ import annotations

import json
import os

import httpx

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import ApiKeyPair, AuditEvent, Organization, Project
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.services.api_keys import revoke_api_keys
from graphql_api.services.key_pairs import issue_key_pair
from tests.conftest import NOW, GraphQLClient, World
from tests.live_server import run_cli
from tests.rest_client import API

CREATE_PAIR = """mutation($d: String!, $e: String) {
  createApiKeyPair(description: $d, userEmail: $e) {
    privateKey apiKeyPair { id publicKey description createdAt lastUsedAt revokedAt } } }"""
REVOKE_PAIR = """mutation($k: ID!) { revokeApiKeyPair(apiKeyPairId: $k) {
  apiKeyPair { id publicKey revokedAt } } }"""
MY_PAIRS = """query($r: Boolean) { viewer { apiKeyPairs(includeRevoked: $r) {
  totalCount nodes { id publicKey description createdAt lastUsedAt revokedAt } } } }"""
MEMBERS_PAIRS = """query { viewer { organizations { nodes { members { nodes {
  user { email } apiKeyPairs { nodes { id publicKey } } } } } } } }"""
REMOVE_ORG_MEMBER = """mutation($o: ID!, $e: String!) {
  removeOrganizationMember(organizationId: $o, userEmail: $e) {
    organization { id } userErrors { code message } } }"""


def _code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def _payload(body: dict) -> dict:
    assert "errors" not in body, body
    [payload] = body["data"].values()
    return payload


async def _digest_get(
    client: httpx.AsyncClient, project: Project, public_key: str, private_key: str
) -> int:
    response = await client.get(
        f"{API}/groups/{project.id}/flexClusters",
        headers={"Accept": MEDIA_TYPE},
        auth=httpx.DigestAuth(public_key, private_key),
    )
    return response.status_code


async def test_a_pair_is_created_listed_without_secret_and_revoked_at_once(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    project = await world.project()
    me = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    made = _payload(await gql(CREATE_PAIR, me, {"d": "terraform"}))
    private, pair = made["privateKey"], made["apiKeyPair"]
    assert pair["description"] == "terraform" and pair["revokedAt"] is None
    assert len(pair["publicKey"]) == 8 and len(private) == 36
    assert await _digest_get(client, project, pair["publicKey"], private) == 200
    listed = (await gql(MY_PAIRS, me, {}))["data"]["viewer"]["apiKeyPairs"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["id"] == pair["id"]
    assert listed["nodes"][0]["lastUsedAt"] is not None  # the digest request above
    stored = await ApiKeyPair.get(id=pair["id"])
    assert private not in str(listed) and private not in str(vars(stored))
    assert stored.ha1_sha256 not in str(listed) and stored.ha1_md5 not in str(listed)
    revoked = _payload(await gql(REVOKE_PAIR, me, {"k": pair["id"]}))
    assert revoked["apiKeyPair"]["revokedAt"] is not None
    assert await _digest_get(client, project, pair["publicKey"], private) == 401
    assert (await gql(MY_PAIRS, me, {}))["data"]["viewer"]["apiKeyPairs"]["totalCount"] == 0
    everything = (await gql(MY_PAIRS, me, {"r": True}))["data"]["viewer"]["apiKeyPairs"]
    assert everything["nodes"][0]["revokedAt"] is not None
    events = await AuditEvent.filter(actor_id=me.user.id).values_list("action", "outcome")
    assert sorted(events) == [("API_KEY_PAIR_CREATED", "ALLOWED"),
                              ("API_KEY_PAIR_REVOKED", "ALLOWED")]  # fmt: skip


async def test_only_the_holder_and_their_org_owners_manage_a_pair(
    gql: GraphQLClient, world: World
) -> None:
    org = await world.org()
    owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    member = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    colleague = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    outsider = await world.actor()
    made = _payload(await gql(CREATE_PAIR, owner, {"d": "ci", "e": member.user.email}))
    pair_id = made["apiKeyPair"]["id"]
    assert (await ApiKeyPair.get(id=pair_id)).user_id == member.user.id
    seen = (await gql(MEMBERS_PAIRS, owner))["data"]["viewer"]["organizations"]["nodes"][0]
    theirs = next(m for m in seen["members"]["nodes"] if m["user"]["email"] == member.user.email)
    assert [p["id"] for p in theirs["apiKeyPairs"]["nodes"]] == [pair_id]
    seen = (await gql(MEMBERS_PAIRS, colleague))["data"]["viewer"]["organizations"]["nodes"][0]
    assert all(m["apiKeyPairs"] is None for m in seen["members"]["nodes"])
    # A member of the same organization: refused with the reason.
    assert _code(await gql(CREATE_PAIR, colleague, {"d": "x", "e": member.user.email})) == (
        "FORBIDDEN"
    )
    assert _code(await gql(REVOKE_PAIR, colleague, {"k": pair_id})) == "FORBIDDEN"
    # Outside the organization: like a pair or person that does not exist.
    stranger = await gql(REVOKE_PAIR, outsider, {"k": pair_id})
    unknown = await gql(REVOKE_PAIR, outsider, {"k": "0123456789abcdef01234567"})
    assert _code(stranger) == _code(unknown) == "NOT_FOUND"
    assert stranger["errors"][0]["message"].replace(pair_id, "<id>") == unknown["errors"][0][
        "message"
    ].replace("0123456789abcdef01234567", "<id>")
    assert _code(await gql(CREATE_PAIR, outsider, {"d": "x", "e": member.user.email})) == (
        "NOT_FOUND"
    )
    assert (await ApiKeyPair.get(id=pair_id)).revoked_at is None
    refused = await AuditEvent.filter(action="API_KEY_PAIR_REVOKED").values_list(
        "actor_id", "outcome", "code"
    )
    assert (colleague.user.id, "REFUSED", "FORBIDDEN") in refused
    assert _payload(await gql(REVOKE_PAIR, owner, {"k": pair_id}))["apiKeyPair"]["revokedAt"]
    # A bad id or description is a clear refusal, never a 500.
    assert _code(await gql(REVOKE_PAIR, owner, {"k": "nope"})) == "INVALID_ID"
    assert _code(await gql(CREATE_PAIR, owner, {"d": "x" * 129})) == "BAD_USER_INPUT"


async def test_a_member_removed_from_the_organization_loses_their_pairs(
    gql: GraphQLClient, world: World, client: httpx.AsyncClient
) -> None:
    org = await world.org()
    project = await world.project(org)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    leaver = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    issued = await issue_key_pair(leaver.user)
    assert await _digest_get(client, project, issued.public_key, issued.private_key) == 200
    body = await gql(REMOVE_ORG_MEMBER, org_owner, {"o": org.id, "e": leaver.user.email})
    assert _payload(body)["userErrors"] == []
    assert await _digest_get(client, project, issued.public_key, issued.private_key) == 401
    assert (await ApiKeyPair.get(id=issued.pair.id)).revoked_at is not None


async def test_revoking_all_of_someones_api_keys_revokes_their_pairs(world: World) -> None:
    leaver = await world.actor()
    rotated = await world.actor()
    leaving = await issue_key_pair(leaver.user)
    staying = await issue_key_pair(rotated.user, "demo")
    await revoke_api_keys(rotated.user, NOW, description="demo")  # a rotation, not a departure
    assert (await ApiKeyPair.get(id=staying.pair.id)).revoked_at is None
    assert await revoke_api_keys(leaver.user, NOW) == 1  # the fixture's API key
    assert (await ApiKeyPair.get(id=leaving.pair.id)).revoked_at == NOW


def _cli(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli({**os.environ, "DATABASE_URL": database_url}, *args)


async def test_the_cli_manages_pairs_through_the_same_rules(
    database_url: str, world: World, client: httpx.AsyncClient
) -> None:
    org = await world.org()
    project = await world.project(org)
    owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    member = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    made = _cli(database_url, "create-api-key-pair", "--as-email", member.user.email,
                "--description", "atlas cli")  # fmt: skip
    assert made.returncode == 0, made.stderr
    lines = dict(line.split(":", 1) for line in made.stdout.splitlines())
    public, private = lines["public key"].strip(), lines["private key"].strip()
    assert "not shown again" in made.stderr
    assert await _digest_get(client, project, public, private) == 200
    listed = _cli(database_url, "list-api-key-pairs", "--email", member.user.email,
                  "--as-email", owner.user.email, "--json")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert row["public_key"] == public and row["description"] == "atlas cli"
    assert private not in listed.stdout and "ha1" not in listed.stdout
    colleague = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    refused = _cli(database_url, "revoke-api-key-pair", "--key-pair-id", row["id"],
                   "--as-email", colleague.user.email)  # fmt: skip
    assert refused.returncode != 0 and "FORBIDDEN" in refused.stderr
    done = _cli(database_url, "revoke-api-key-pair", "--key-pair-id", row["id"],
                "--as-email", owner.user.email)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert await _digest_get(client, project, public, private) == 401
    assert await Organization.exists(id=org.id)
    actions = await AuditEvent.filter(action__startswith="API_KEY_PAIR").values_list(
        "actor_email", "action", "outcome"
    )
    assert sorted(actions) == sorted([
        (member.user.email, "API_KEY_PAIR_CREATED", "ALLOWED"),
        (colleague.user.email, "API_KEY_PAIR_REVOKED", "REFUSED"),
        (owner.user.email, "API_KEY_PAIR_REVOKED", "ALLOWED"),
    ])  # fmt: skip
