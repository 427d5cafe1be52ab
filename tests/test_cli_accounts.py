"""Bootstrap from nothing with the CLI, then the API with the printed key; the
account commands call the API's use cases (as the operator or --as-email).

The CLI runs in subprocesses on the test's own database, so what it does is
visible to the in-process API and the other way round.
"""

from __future__ import annotations

import json
import os
import subprocess

from graphql_api.models import ApiKey, AuditEvent, Organization, User
from tests.conftest import Actor, GraphQLClient
from tests.live_server import run_cli


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli({**os.environ, "DATABASE_URL": database_url}, *args)


def _ok(database_url: str, *args: str) -> str:
    done = _cli(database_url, *args)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


async def test_bootstrap_then_everything_through_the_api(
    database_url: str, gql: GraphQLClient
) -> None:
    assert not await Organization.exists()
    made = _cli(database_url, "create-organization", "--name", "Acme",
                "--owner-email", "Boss@Acme.example", "--owner-name", "Bo Ss")  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("fbk_") and "not shown again" in made.stderr
    boss = await User.get(email="boss@acme.example")
    assert boss.name == "Bo Ss"
    assert token.split("_", 2)[2] not in (await ApiKey.get(user=boss)).secret_hash
    actor = Actor(user=boss, token=token)
    me = await gql("{ viewer { organizations { nodes { id name viewerRoles } } } }", actor)
    [org] = me["data"]["viewer"]["organizations"]["nodes"]
    assert org["name"] == "Acme" and org["viewerRoles"] == ["ORG_OWNER"]
    created = await gql(
        'mutation($o: ID!) { createProject(organizationId: $o, name: "web") { project { id } } }',
        actor,
        {"o": org["id"]},
    )
    project_id = created["data"]["createProject"]["project"]["id"]
    # The CLI sees what the API did, and acts as the same person with --as-email.
    _ok(database_url, "add-project-member", "--project-id", project_id,
        "--email", "dev@acme.example", "--role", "PROJECT_READ_ONLY",
        "--as-email", "boss@acme.example")  # fmt: skip
    listed = json.loads(_ok(database_url, "list-project-members", "--project-id", project_id,
                            "--json"))  # fmt: skip
    assert {(m["email"], m["role"]) for m in listed} == {
        ("boss@acme.example", "PROJECT_OWNER"),
        ("dev@acme.example", "PROJECT_READ_ONLY"),
    }
    table = _ok(database_url, "list-project-members", "--project-id", project_id)
    assert table.splitlines()[0].split() == ["EMAIL", "NAME", "ROLE", "USER_ID"]
    # A refusal keeps its code on the command line.
    refused = _cli(database_url, "remove-project-member", "--project-id", project_id,
                   "--email", "boss@acme.example")  # fmt: skip
    assert refused.returncode != 0 and "LAST_PROJECT_OWNER" in refused.stderr
    forbidden = _cli(database_url, "delete-project", "--project-id", project_id,
                     "--as-email", "dev@acme.example")  # fmt: skip
    assert forbidden.returncode != 0 and "FORBIDDEN" in forbidden.stderr
    keys = json.loads(_ok(database_url, "list-api-keys", "--email", "boss@acme.example",
                          "--json"))  # fmt: skip
    assert [k["id"] for k in keys] == [token.split("_")[1]]
    assert set(keys[0]) == {
        "id", "description", "created_at", "last_used_at", "revoked_at", "organization_id",
    }  # fmt: skip
    _ok(database_url, "revoke-api-key", "--key-id", keys[0]["id"],
        "--as-email", "boss@acme.example")  # fmt: skip
    after = await gql("{ viewer { id } }", actor)
    assert after["_status"] == 401
    operator_events = await AuditEvent.filter(actor_email="operator (cli)").values_list(
        "action", "outcome", "code"
    )
    assert sorted(operator_events) == [
        ("API_KEY_CREATED", "ALLOWED", None),
        ("ORGANIZATION_CREATED", "ALLOWED", None),
        ("ORG_MEMBER_ADDED", "ALLOWED", None),
        ("PROJECT_MEMBER_REMOVED", "REFUSED", "LAST_PROJECT_OWNER"),
    ]
