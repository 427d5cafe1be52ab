"""Organizations, projects, members and API keys through the API: who may do
what, the refusals' codes, and the audit trail of each change."""

from __future__ import annotations

import asyncio

import pytest

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import (
    ApiKey,
    AuditEvent,
    Cluster,
    Organization,
    OrgMembership,
    Project,
    ProjectMembership,
    User,
)
from graphql_api.services import members
from graphql_api.services.authentication import Principal, load_principal
from graphql_api.services.errors import InvalidInputError, Refused
from graphql_api.services.organizations import bootstrap_organization
from tests.conftest import NOW, Actor, GraphQLClient, World
from tests.sqlcount import count_statements
from tests.test_download_access import _download_link, _fetch

CREATE_PROJECT = """mutation($o: ID!, $n: String!) { createProject(organizationId: $o, name: $n) {
  project { id name viewerRoles } userErrors { code message field } } }"""
RENAME_PROJECT = """mutation($p: ID!, $n: String!) { renameProject(projectId: $p, name: $n) {
  project { id name } userErrors { code message field } } }"""
DELETE_PROJECT = """mutation($p: ID!) { deleteProject(projectId: $p) {
  deletedProjectId userErrors { code message field } } }"""
ADD_MEMBER = """mutation($p: ID!, $e: String!, $r: ProjectRole!) {
  addProjectMember(projectId: $p, userEmail: $e, role: $r) {
    member { role user { email name } } userErrors { code message field } } }"""
SET_ROLE = """mutation($p: ID!, $e: String!, $r: ProjectRole!) {
  updateProjectMemberRole(projectId: $p, userEmail: $e, role: $r) {
    member { role user { email } } userErrors { code message field } } }"""
REMOVE_MEMBER = """mutation($p: ID!, $e: String!) {
  removeProjectMember(projectId: $p, userEmail: $e) {
    project { id } userErrors { code message field } } }"""
ADD_ORG_MEMBER = """mutation($o: ID!, $e: String!, $r: OrgRole!) {
  addOrganizationMember(organizationId: $o, userEmail: $e, role: $r) {
    member { role user { email } } userErrors { code message } } }"""
SET_ORG_ROLE = """mutation($o: ID!, $e: String!, $r: OrgRole!) {
  updateOrganizationMemberRole(organizationId: $o, userEmail: $e, role: $r) {
    member { role } userErrors { code message } } }"""
REMOVE_ORG_MEMBER = """mutation($o: ID!, $e: String!) {
  removeOrganizationMember(organizationId: $o, userEmail: $e) {
    organization { id } userErrors { code message } } }"""
RENAME_ORG = """mutation($o: ID!, $n: String!) { renameOrganization(organizationId: $o, name: $n) {
  organization { id name } userErrors { code } } }"""
CREATE_KEY = """mutation($d: String!, $e: String) { createApiKey(description: $d, userEmail: $e) {
  token apiKey { id prefix description createdAt lastUsedAt revokedAt } } }"""
REVOKE_KEY = """mutation($k: ID!) { revokeApiKey(apiKeyId: $k) { apiKey { id revokedAt } } }"""
MY_KEYS = """query($r: Boolean) { viewer { apiKeys(includeRevoked: $r) {
  totalCount nodes { id prefix description createdAt lastUsedAt revokedAt } } } }"""


def _code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def _payload(body: dict) -> dict:
    assert "errors" not in body, body
    [payload] = body["data"].values()
    return payload


def _user_error(body: dict) -> str:
    [error] = _payload(body)["userErrors"]
    return error["code"]


async def _owned_org(world: World) -> tuple[Actor, str]:
    org = await world.org()
    return await world.actor(org=org, org_role=OrgRole.ORG_OWNER), org.id


async def test_an_org_owner_creates_renames_and_deletes_a_project(
    gql: GraphQLClient, world: World
) -> None:
    owner, org_id = await _owned_org(world)
    made = _payload(await gql(CREATE_PROJECT, owner, {"o": org_id, "n": " Payments "}))
    project = made["project"]
    assert project["name"] == "Payments" and made["userErrors"] == []
    assert project["viewerRoles"] == ["PROJECT_OWNER"]  # the creator owns it
    renamed = _payload(await gql(RENAME_PROJECT, owner, {"p": project["id"], "n": "Billing"}))
    assert renamed["project"]["name"] == "Billing"
    deleted = _payload(await gql(DELETE_PROJECT, owner, {"p": project["id"]}))
    assert deleted == {"deletedProjectId": project["id"], "userErrors": []}
    assert not await Project.exists(id=project["id"])
    actions = await AuditEvent.filter(actor_id=owner.user.id).values_list("action", "outcome")
    assert sorted(actions) == [
        ("PROJECT_CREATED", "ALLOWED"),
        ("PROJECT_DELETED", "ALLOWED"),
        ("PROJECT_RENAMED", "ALLOWED"),
    ]


async def test_project_names_are_unique_in_an_organization(
    gql: GraphQLClient, world: World
) -> None:
    owner, org_id = await _owned_org(world)
    await gql(CREATE_PROJECT, owner, {"o": org_id, "n": "alpha"})
    beta = _payload(await gql(CREATE_PROJECT, owner, {"o": org_id, "n": "beta"}))["project"]
    again = await gql(CREATE_PROJECT, owner, {"o": org_id, "n": "alpha"})
    assert _user_error(again) == "PROJECT_NAME_TAKEN"
    assert _payload(again)["project"] is None
    rename = await gql(RENAME_PROJECT, owner, {"p": beta["id"], "n": "alpha"})
    assert _user_error(rename) == "PROJECT_NAME_TAKEN"
    assert (await Project.get(id=beta["id"])).name == "beta"
    refused = await AuditEvent.filter(code="PROJECT_NAME_TAKEN").count()
    assert refused == 2  # refusals are audited too
    other_owner, other_org = await _owned_org(world)  # another organization may use it
    assert _payload(await gql(CREATE_PROJECT, other_owner, {"o": other_org, "n": "alpha"}))[
        "project"
    ]


async def test_a_project_with_clusters_is_not_deleted(gql: GraphQLClient, world: World) -> None:
    owner, org_id = await _owned_org(world)
    project = _payload(await gql(CREATE_PROJECT, owner, {"o": org_id, "n": "p"}))["project"]
    model = await Project.get(id=project["id"])
    cluster = await world.cluster(model, "kept")
    await world.completed_snapshots(cluster, 2)
    body = await gql(DELETE_PROJECT, owner, {"p": project["id"]})
    [error] = _payload(body)["userErrors"]
    assert error["code"] == "PROJECT_HAS_CLUSTERS"
    assert "1 cluster" in error["message"] and "snapshots" in error["message"]
    assert await Project.exists(id=project["id"]) and await Cluster.exists(id=cluster.id)
    await Cluster.filter(id=cluster.id).delete()  # gone, snapshots and all
    assert _payload(await gql(DELETE_PROJECT, owner, {"p": project["id"]}))["userErrors"] == []


async def test_only_org_owners_manage_projects(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    project_owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    org_member = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    for actor in (project_owner, org_member):
        for query, variables in (
            (CREATE_PROJECT, {"o": org.id, "n": "new"}),
            (RENAME_PROJECT, {"p": project.id, "n": "new"}),
            (DELETE_PROJECT, {"p": project.id}),
            (RENAME_ORG, {"o": org.id, "n": "new"}),
        ):
            body = await gql(query, actor, variables)
            if actor is org_member and query is not CREATE_PROJECT and query is not RENAME_ORG:
                assert _code(body) == "NOT_FOUND", body  # not a project member: cannot see it
            else:
                assert _code(body) == "FORBIDDEN", body
                assert "Organization Owners" in body["errors"][0]["message"]
    assert (await Project.get(id=project.id)).name == project.name
    assert await AuditEvent.filter(outcome="REFUSED", code="FORBIDDEN").count() == 6


async def test_unknown_and_foreign_projects_answer_alike(gql: GraphQLClient, world: World) -> None:
    owner, _ = await _owned_org(world)
    foreign = await world.project()
    unknown = "0123456789abcdef01234567"
    for query, extra in (
        (RENAME_PROJECT, {"n": "x"}),
        (DELETE_PROJECT, {}),
        (ADD_MEMBER, {"e": "a@example.com", "r": "PROJECT_OWNER"}),
        (SET_ROLE, {"e": "a@example.com", "r": "PROJECT_OWNER"}),
        (REMOVE_MEMBER, {"e": "a@example.com"}),
    ):
        answers = []
        for project_id in (foreign.id, unknown):
            body = await gql(query, owner, {"p": project_id, **extra})
            answers.append((_code(body), body["errors"][0]["message"].replace(project_id, "<id>")))
        assert answers[0] == answers[1] == ("NOT_FOUND", "No project <id> among your projects.")
    for query, extra in (
        (CREATE_PROJECT, {"n": "x"}),
        (RENAME_ORG, {"n": "x"}),
        (ADD_ORG_MEMBER, {"e": "a@example.com", "r": "ORG_MEMBER"}),
        (REMOVE_ORG_MEMBER, {"e": "a@example.com"}),
    ):
        answers = []
        for org_id in (foreign.organization_id, unknown):
            body = await gql(query, owner, {"o": org_id, **extra})
            answers.append((_code(body), body["errors"][0]["message"].replace(org_id, "<id>")))
        assert answers[0] == answers[1]
        assert answers[0] == ("NOT_FOUND", "No organization <id> among your organizations.")


async def test_project_owners_manage_members(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    variables = {"p": project.id, "e": "New.Person@Example.com", "r": "PROJECT_READ_ONLY"}
    added = _payload(await gql(ADD_MEMBER, owner, variables))
    assert added["member"] == {
        "role": "PROJECT_READ_ONLY",
        "user": {"email": "new.person@example.com", "name": "new.person"},
    }
    user = await User.get(email="new.person@example.com")  # created, and in the organization
    assert await OrgMembership.exists(user=user, organization=org, role=OrgRole.ORG_MEMBER)
    again = await gql(ADD_MEMBER, owner, variables)
    assert _user_error(again) == "ALREADY_MEMBER"
    changed = _payload(await gql(SET_ROLE, owner, {**variables, "r": "PROJECT_CLUSTER_MANAGER"}))
    assert changed["member"]["role"] == "PROJECT_CLUSTER_MANAGER"
    roles = await ProjectMembership.filter(user=user, project=project).values_list(
        "role", flat=True
    )
    assert roles == ["PROJECT_CLUSTER_MANAGER"]  # one role: the new one replaced the old
    listed = await gql(
        "query($p: ID!) { project(id: $p) { members { nodes { role user { email } } } } }",
        owner,
        {"p": project.id},
    )
    assert {(m["user"]["email"], m["role"]) for m in
            listed["data"]["project"]["members"]["nodes"]} == {
        (owner.user.email, "PROJECT_OWNER"),
        ("new.person@example.com", "PROJECT_CLUSTER_MANAGER"),
    }  # fmt: skip
    removed = _payload(await gql(REMOVE_MEMBER, owner, variables))
    assert removed == {"project": {"id": project.id}, "userErrors": []}
    assert not await ProjectMembership.exists(user=user, project=project)
    for query in (SET_ROLE, REMOVE_MEMBER):
        assert _user_error(await gql(query, owner, variables)) == "NOT_A_MEMBER"
    nobody = {**variables, "e": "nobody@example.com"}  # unknown: the same answer
    assert _user_error(await gql(REMOVE_MEMBER, owner, nobody)) == "NOT_A_MEMBER"
    actions = await AuditEvent.filter(actor_id=owner.user.id, outcome="ALLOWED").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["PROJECT_MEMBER_ADDED", "PROJECT_MEMBER_REMOVED",
                               "PROJECT_ROLE_CHANGED"]  # fmt: skip


async def test_the_last_project_owner_stays(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    mine = {"p": project.id, "e": owner.user.email}
    for query, extra in ((REMOVE_MEMBER, {}), (SET_ROLE, {"r": "PROJECT_READ_ONLY"})):
        body = await gql(query, owner, {**mine, **extra})
        [error] = _payload(body)["userErrors"]
        assert error["code"] == "LAST_PROJECT_OWNER" and error["field"] == "userEmail"
    assert await ProjectMembership.exists(user=owner.user, role=ProjectRole.PROJECT_OWNER)
    assert await AuditEvent.filter(code="LAST_PROJECT_OWNER", outcome="REFUSED").count() == 2
    second = {"p": project.id, "e": "second@example.com", "r": "PROJECT_OWNER"}
    await gql(ADD_MEMBER, owner, second)
    demoted = _payload(await gql(SET_ROLE, owner, {**mine, "r": "PROJECT_READ_ONLY"}))
    assert demoted["userErrors"] == []
    # The demoted caller's own roles are read again: they manage members no more.
    assert _code(await gql(REMOVE_MEMBER, owner, second)) == "FORBIDDEN"


async def test_only_project_owners_manage_members(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    member = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    manager = await world.actor(project=project, role=ProjectRole.PROJECT_CLUSTER_MANAGER)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    operations = (
        (ADD_MEMBER, {"e": "x@example.com", "r": "PROJECT_OWNER"}),
        (SET_ROLE, {"e": member.user.email, "r": "PROJECT_OWNER"}),
        (REMOVE_MEMBER, {"e": member.user.email}),
    )
    for actor in (member, manager, org_owner):
        for query, extra in operations:
            body = await gql(query, actor, {"p": project.id, **extra})
            assert _code(body) == "FORBIDDEN", body
            message = body["errors"][0]["message"]
            assert ("addProjectOwner" in message) is (actor is org_owner), message
    assert not await User.exists(email="x@example.com")
    # The way in for an Org Owner: add themself, then manage members.
    await gql("mutation($p: ID!) { addProjectOwner(projectId: $p) { project { id } } }",
              org_owner, {"p": project.id})  # fmt: skip
    body = await gql(REMOVE_MEMBER, org_owner, {"p": project.id, "e": member.user.email})
    assert _payload(body)["userErrors"] == []


async def test_org_owners_manage_org_members(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    added = _payload(await gql(ADD_ORG_MEMBER, owner,
                               {"o": org.id, "e": "m@example.com", "r": "ORG_MEMBER"}))  # fmt: skip
    assert added["member"] == {"role": "ORG_MEMBER", "user": {"email": "m@example.com"}}
    again = await gql(ADD_ORG_MEMBER, owner, {"o": org.id, "e": "m@example.com", "r": "ORG_OWNER"})
    assert _user_error(again) == "ALREADY_MEMBER"
    member = await User.get(email="m@example.com")
    await ProjectMembership.create(user=member, project=project, role=ProjectRole.PROJECT_OWNER)
    # Removing them from the organization would leave the project without an owner.
    body = await gql(REMOVE_ORG_MEMBER, owner, {"o": org.id, "e": "m@example.com"})
    [error] = _payload(body)["userErrors"]
    assert error["code"] == "LAST_PROJECT_OWNER" and project.name in error["message"]
    await ProjectMembership.create(user=owner.user, project=project, role=ProjectRole.PROJECT_OWNER)
    assert (
        _payload(await gql(REMOVE_ORG_MEMBER, owner, {"o": org.id, "e": "m@example.com"}))[
            "userErrors"
        ]
        == []
    )
    assert not await OrgMembership.exists(user=member, organization=org)
    assert not await ProjectMembership.exists(user=member, project=project)  # projects too
    for query, extra in ((REMOVE_ORG_MEMBER, {}), (SET_ORG_ROLE, {"r": "ORG_MEMBER"})):
        body = await gql(query, owner, {"o": org.id, "e": owner.user.email, **extra})
        assert _user_error(body) == "LAST_ORG_OWNER"
    renamed = _payload(await gql(RENAME_ORG, owner, {"o": org.id, "n": "Acme"}))
    assert renamed["organization"] == {"id": org.id, "name": "Acme"}
    reader = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    for query, extra in (
        (ADD_ORG_MEMBER, {"e": "z@example.com", "r": "ORG_OWNER"}),
        (SET_ORG_ROLE, {"e": reader.user.email, "r": "ORG_OWNER"}),
        (REMOVE_ORG_MEMBER, {"e": owner.user.email}),
        (RENAME_ORG, {"n": "Mine"}),
    ):
        body = await gql(query, reader, {"o": org.id, **extra})
        assert _code(body) == "FORBIDDEN", body
    promoted = _payload(
        await gql(SET_ORG_ROLE, owner, {"o": org.id, "e": reader.user.email, "r": "ORG_OWNER"})
    )
    assert promoted["member"] == {"role": "ORG_OWNER"}  # fmt: skip
    members = await gql("query { viewer { organizations { nodes { members { nodes { role "
                        "user { email } } } } } } }", reader)  # fmt: skip
    [listed] = members["data"]["viewer"]["organizations"]["nodes"]
    assert {(m["user"]["email"], m["role"]) for m in listed["members"]["nodes"]} == {
        (owner.user.email, "ORG_OWNER"),
        (reader.user.email, "ORG_OWNER"),
    }


async def test_anyone_creates_an_organization_and_owns_it(gql: GraphQLClient, world: World) -> None:
    someone = await world.actor()
    body = await gql("mutation { createOrganization(name: \"Mine\") { organization { name "
                     "viewerRoles } } }", someone)  # fmt: skip
    assert body["data"]["createOrganization"]["organization"] == {
        "name": "Mine", "viewerRoles": ["ORG_OWNER"],
    }  # fmt: skip


async def test_keys_are_created_listed_and_revoked(
    gql: GraphQLClient, world: World, client
) -> None:
    me = await world.actor()
    made = _payload(await gql(CREATE_KEY, me, {"d": "laptop"}))
    token, key = made["token"], made["apiKey"]
    assert token.startswith(key["prefix"]) and key["description"] == "laptop"
    new = Actor(user=me.user, token=token)
    listed = (await gql(MY_KEYS, new, {}))["data"]["viewer"]["apiKeys"]
    assert listed["totalCount"] == 2  # the fixture's key and the new one
    assert listed["nodes"][0]["id"] == key["id"]  # newest first
    secret = token.split("_", 2)[2]
    assert secret not in str(listed)
    stored = await ApiKey.get(id=key["id"])
    assert secret not in stored.secret_hash and stored.secret_hash not in str(listed)
    revoked = _payload(await gql(REVOKE_KEY, me, {"k": key["id"]}))
    assert revoked["apiKey"]["revokedAt"] is not None
    refused = await client.post("/graphql", json={"query": "{ viewer { id } }"},
                                headers=new.headers)  # fmt: skip
    assert refused.status_code == 401  # the very next request
    mine = (await gql(MY_KEYS, me, {"r": True}))["data"]["viewer"]["apiKeys"]["totalCount"]
    assert (
        mine == 2 and (await gql(MY_KEYS, me, {}))["data"]["viewer"]["apiKeys"]["totalCount"] == 1
    )
    actions = await AuditEvent.filter(actor_id=me.user.id).values_list("action", flat=True)
    assert sorted(actions) == ["API_KEY_CREATED", "API_KEY_REVOKED"]


async def test_org_owners_manage_their_members_keys(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    member = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    colleague = await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
    outsider = await world.actor()
    made = _payload(await gql(CREATE_KEY, owner, {"d": "ci", "e": member.user.email}))
    assert (await ApiKey.get(id=made["apiKey"]["id"])).user_id == member.user.id
    keys = await gql("query { viewer { organizations { nodes { members { nodes { user { email }"
                     " apiKeys { nodes { id description } } } } } } } }", owner)  # fmt: skip
    [listed] = keys["data"]["viewer"]["organizations"]["nodes"]
    theirs = next(m for m in listed["members"]["nodes"] if m["user"]["email"] == member.user.email)
    assert {"id": made["apiKey"]["id"], "description": "ci"} in theirs["apiKeys"]["nodes"]
    seen = await gql("query { viewer { organizations { nodes { members { nodes { apiKeys"
                     " { totalCount } } } } } } }", colleague)  # fmt: skip
    [org_seen] = seen["data"]["viewer"]["organizations"]["nodes"]
    assert all(m["apiKeys"] is None for m in org_seen["members"]["nodes"])  # owners only
    body = await gql(CREATE_KEY, colleague, {"d": "x", "e": member.user.email})
    assert _code(body) == "FORBIDDEN"
    assert _code(await gql(REVOKE_KEY, colleague, {"k": made["apiKey"]["id"]})) == "FORBIDDEN"
    # Outside the organization: like a key or person that does not exist.
    stranger = await gql(REVOKE_KEY, outsider, {"k": made["apiKey"]["id"]})
    unknown = await gql(REVOKE_KEY, outsider, {"k": "0123456789abcdef01234567"})
    assert _code(stranger) == _code(unknown) == "NOT_FOUND"
    assert stranger["errors"][0]["message"].replace(made["apiKey"]["id"], "<id>") == unknown[
        "errors"
    ][0]["message"].replace("0123456789abcdef01234567", "<id>")
    who = await gql(CREATE_KEY, outsider, {"d": "x", "e": member.user.email})
    nobody = await gql(CREATE_KEY, outsider, {"d": "x", "e": "nobody@example.com"})
    assert _code(who) == _code(nobody) == "NOT_FOUND"
    assert _payload(await gql(REVOKE_KEY, owner, {"k": made["apiKey"]["id"]}))["apiKey"][
        "revokedAt"
    ]
    assert (await ApiKey.get(id=made["apiKey"]["id"])).revoked_at is not None


async def test_member_and_key_lists_are_batched(gql: GraphQLClient, world: World) -> None:
    async def statements(members: int) -> int:
        org = await world.org()
        owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
        for _ in range(members):
            await world.actor(org=org, org_role=OrgRole.ORG_MEMBER)
        query = ("query { viewer { organizations { nodes { members(first: 50) { nodes { role "
                 "user { email } apiKeys { totalCount nodes { id } } } } } } } }")  # fmt: skip
        with count_statements() as counted:
            body = await gql(query, owner)
        [listed] = body["data"]["viewer"]["organizations"]["nodes"]
        assert len(listed["members"]["nodes"]) == members + 1
        return len(counted)

    assert await statements(2) == await statements(30)


HOSTILE = ["nul\x00byte", "x" * 65, "y" * 300, "e" * 250 + "@x.example", "   "]


async def test_hostile_strings_are_refused_never_500(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await OrgMembership.create(user=owner.user, organization=org, role=OrgRole.ORG_OWNER)
    for value in HOSTILE:
        operations = [
            (CREATE_PROJECT, {"o": org.id, "n": value}),
            (RENAME_PROJECT, {"p": project.id, "n": value}),
            (RENAME_ORG, {"o": org.id, "n": value}),
            (ADD_MEMBER, {"p": project.id, "e": value, "r": "PROJECT_READ_ONLY"}),
            (SET_ROLE, {"p": project.id, "e": value, "r": "PROJECT_READ_ONLY"}),
            (REMOVE_MEMBER, {"p": project.id, "e": value}),
            (ADD_ORG_MEMBER, {"o": org.id, "e": value, "r": "ORG_MEMBER"}),
            (REMOVE_ORG_MEMBER, {"o": org.id, "e": value}),
            (CREATE_KEY, {"d": value}),
            (CREATE_KEY, {"d": "", "e": value}),
        ]
        for query, variables in operations:
            body = await gql(query, owner, variables)
            codes = {e["extensions"]["code"] for e in body.get("errors") or []}
            assert codes <= {"BAD_USER_INPUT", "NOT_FOUND"}, (query, value, body)
            if not codes:  # answered as data: a refusal, or a key with a storable description
                storable = "\x00" not in value and len(value) <= 128
                assert _payload(body).get("userErrors") or (query is CREATE_KEY and storable), (
                    query, value, body,
                )  # fmt: skip
    assert (await Project.get(id=project.id)).name == project.name


async def test_two_owners_demoting_each_other_at_once_leave_one(world: World) -> None:

    project = await world.project()
    first = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    second = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)

    async def demote(principal: Principal, other: Actor) -> str:
        try:
            await members.change_role(principal, project.id, other.user.email,
                                      ProjectRole.PROJECT_READ_ONLY, NOW)  # fmt: skip
        except Refused as refused:
            return refused.code
        return "OK"

    # Both read their roles (Project Owner) before either change: the race is
    # between the two changes, as between two requests already authenticated.
    as_first, as_second = await load_principal(first.user), await load_principal(second.user)
    answers = await asyncio.gather(demote(as_first, second), demote(as_second, first))
    assert sorted(answers) == ["LAST_PROJECT_OWNER", "OK"]
    owners = await ProjectMembership.filter(project=project, role=ProjectRole.PROJECT_OWNER)
    assert len(owners) == 1


async def test_removing_an_org_member_stops_their_links_and_roles(
    gql: GraphQLClient, world: World
) -> None:

    org, project, owner, job = await _download_link(gql, world)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    await ProjectMembership.create(user=org_owner.user, project=project,
                                   role=ProjectRole.PROJECT_OWNER)  # fmt: skip
    body = await gql(REMOVE_ORG_MEMBER, org_owner, {"o": org.id, "e": owner.user.email})
    assert _payload(body)["userErrors"] == []
    assert (await _fetch(job["snapshotUrl"])).status_code == 410
    seen = await gql("query($p: ID!) { project(id: $p) { id } }", owner, {"p": project.id})
    assert seen["data"]["project"] is None  # the next request already lacks the role


async def test_every_new_id_argument_is_validated(gql: GraphQLClient, world: World) -> None:
    owner, _ = await _owned_org(world)
    bad = "0123456789ABCDEF01234567"
    for query, variables in (
        (CREATE_PROJECT, {"o": bad, "n": "x"}),
        (RENAME_ORG, {"o": bad, "n": "x"}),
        (ADD_ORG_MEMBER, {"o": bad, "e": "a@example.com", "r": "ORG_MEMBER"}),
        (SET_ORG_ROLE, {"o": bad, "e": "a@example.com", "r": "ORG_MEMBER"}),
        (REMOVE_ORG_MEMBER, {"o": bad, "e": "a@example.com"}),
        (RENAME_PROJECT, {"p": bad, "n": "x"}),
        (DELETE_PROJECT, {"p": bad}),
        (ADD_MEMBER, {"p": bad, "e": "a@example.com", "r": "PROJECT_OWNER"}),
        (SET_ROLE, {"p": bad, "e": "a@example.com", "r": "PROJECT_OWNER"}),
        (REMOVE_MEMBER, {"p": bad, "e": "a@example.com"}),
        (REVOKE_KEY, {"k": bad}),
    ):
        assert _code(await gql(query, owner, variables)) == "INVALID_ID", query


async def test_bootstrap_is_all_or_nothing() -> None:

    with pytest.raises(InvalidInputError):
        await bootstrap_organization("Acme", "not an email", None, NOW)
    assert not await Organization.exists()
    made = await bootstrap_organization("Acme", "boss@acme.example", None, NOW)
    assert made.owner.name == "boss" and made.key.token.startswith("fbk_")
