"""Authentication: from an API key to the caller and the roles they hold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections

from graphql_api.domain import api_keys
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import ApiKey, OrgMembership, Project, ProjectMembership, User
from graphql_api.services.principal_cache import PRINCIPALS

# The CLI's operator: no user row, every permission, audited under this id.
OPERATOR_ID = "0" * 24
OPERATOR_EMAIL = "operator (cli)"

# The key, its user and every role the user holds, in one statement (SQLite
# and PostgreSQL alike): one row per membership, or one row of NULLs for a
# user without any. A key limited to an organization (k.organization_id) joins
# only the roles inside it. Read on every request unless principal_cache keeps
# it (PostgreSQL, while it listens for changes): a revoked key or a removed role
# is refused from the next request on either way.
_PRINCIPAL_SQL = """
SELECT u.*, k.secret_hash AS key_secret_hash, k.last_used_at AS key_last_used_at,
       k.organization_id AS key_organization_id,
       m.kind AS held_kind, m.held_in AS held_in, m.role AS held_role, m.org AS held_org
FROM api_keys k
JOIN users u ON u.id = k.user_id
LEFT JOIN (
    SELECT 'org' AS kind, user_id, organization_id AS held_in, role, organization_id AS org
    FROM org_memberships
    UNION ALL
    SELECT 'project', pm.user_id, pm.project_id, pm.role, p.organization_id
    FROM project_memberships pm JOIN projects p ON p.id = pm.project_id
) m ON m.user_id = k.user_id AND (k.organization_id IS NULL OR m.org = k.organization_id)
WHERE k.id = {key_id} AND k.revoked_at IS NULL
"""
_PRINCIPAL_COLUMNS = [
    "key_secret_hash", "key_last_used_at", "key_organization_id",
    "held_kind", "held_in", "held_role", "held_org",
]  # fmt: skip

# last_used_at is written at most this often per key, not on every request.
LAST_USED_PRECISION = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, and every role they hold, read once per request."""

    user: User
    org_roles: dict[str, frozenset[OrgRole]]
    project_roles: dict[str, frozenset[ProjectRole]]
    api_key_id: str | None = None  # the key this request came with; None for the CLI
    project_orgs: dict[str, str] = field(default_factory=dict)  # organization of each project
    operator: bool = False  # the CLI without --as-email: may do anything, still audited
    # The credential acts in this organization only (an Owner of it made it for
    # the user): the roles above are those inside it, and what it creates is
    # limited to it too. None: the user's own credential, or the CLI.
    limited_to_org_id: str | None = None

    def roles_in(self, project: Project) -> tuple[frozenset[OrgRole], frozenset[ProjectRole]]:
        return (
            self.org_roles.get(project.organization_id, frozenset()),
            self.project_roles.get(project.id, frozenset()),
        )

    @property
    def organization_ids(self) -> list[str]:
        """Organizations the caller belongs to or holds a project role in."""
        return sorted(set(self.org_roles) | set(self.project_orgs.values()))

    @property
    def owned_org_ids(self) -> list[str]:
        return sorted(org for org, held in self.org_roles.items() if OrgRole.ORG_OWNER in held)


async def authenticate(authorization: str | None, now: datetime) -> Principal | None:
    """The caller behind an ``Authorization: Bearer <key>`` header, with their
    roles, or None for a missing, malformed, unknown or revoked key."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    parsed = api_keys.parse_key(token.strip())
    if parsed is None:
        return None
    kept = PRINCIPALS.get(parsed.key_id)
    if kept is not None:
        if not api_keys.secret_matches(parsed.secret, kept.secret_hash):
            return None
        kept.last_used_at = await _record_use(parsed.key_id, kept.last_used_at, now)
        return kept.principal
    generation = PRINCIPALS.generation
    users = await _principal_rows(parsed.key_id)
    if not users:
        return None
    rows = [vars(user) for user in users]
    key = rows[0]
    if not api_keys.secret_matches(parsed.secret, key["key_secret_hash"]):
        return None
    last_used = ApiKey._meta.fields_map["last_used_at"].to_python_value(key["key_last_used_at"])
    last_used = await _record_use(parsed.key_id, last_used, now)
    org_roles = [(r["held_in"], r["held_role"]) for r in rows if r["held_kind"] == "org"]
    project_roles = [
        (r["held_in"], r["held_role"], r["held_org"]) for r in rows if r["held_kind"] == "project"
    ]
    principal = _principal(
        users[0], org_roles, project_roles, parsed.key_id, key["key_organization_id"]
    )
    PRINCIPALS.keep(parsed.key_id, key["key_secret_hash"], principal, last_used, generation)
    return principal


async def _record_use(key_id: str, last_used: datetime | None, now: datetime) -> datetime | None:
    """When the key was last used, written at most every LAST_USED_PRECISION."""
    if last_used is None or now - last_used >= LAST_USED_PRECISION:
        await ApiKey.filter(id=key_id).update(last_used_at=now)
        return now
    return last_used


async def _principal_rows(key_id: str) -> list[User]:
    """Users (one per role held) carrying the key's and the role's columns."""
    db = connections.get("default")
    placeholder = "?" if db.capabilities.dialect == "sqlite" else "$1"
    executor = db.executor_class(model=User, db=db)
    rows: list[User] = await executor.execute_select(
        _PRINCIPAL_SQL.format(key_id=placeholder), [key_id], custom_fields=_PRINCIPAL_COLUMNS
    )
    return rows


async def load_principal(
    user: User, api_key_id: str | None = None, limited_to_org_id: str | None = None
) -> Principal:
    """The user's roles as they are now (after a change, read them again),
    those inside ``limited_to_org_id`` only when the credential is limited to it."""
    orgs = OrgMembership.filter(user=user)
    projects = ProjectMembership.filter(user=user)
    if limited_to_org_id is not None:
        orgs = orgs.filter(organization_id=limited_to_org_id)
        projects = projects.filter(project__organization_id=limited_to_org_id)
    org_roles = await orgs.values_list("organization_id", "role")
    project_roles = await projects.values_list("project_id", "role", "project__organization_id")
    return _principal(user, org_roles, project_roles, api_key_id, limited_to_org_id)


async def reload_principal(principal: Principal) -> Principal:
    """The same caller and credential, with their roles read again."""
    return await load_principal(principal.user, principal.api_key_id, principal.limited_to_org_id)


def _principal(
    user: User,
    org_rows: Iterable[tuple[Any, ...]],
    project_rows: Iterable[tuple[Any, ...]],
    api_key_id: str | None,
    limited_to_org_id: str | None = None,
) -> Principal:
    org_roles: dict[str, set[OrgRole]] = defaultdict(set)
    for org_id, org_role in org_rows:
        org_roles[org_id].add(OrgRole(org_role))
    project_roles: dict[str, set[ProjectRole]] = defaultdict(set)
    project_orgs: dict[str, str] = {}
    for project_id, project_role, org_id in project_rows:
        project_roles[project_id].add(ProjectRole(project_role))
        project_orgs[project_id] = org_id
    return Principal(
        user=user,
        org_roles={k: frozenset(v) for k, v in org_roles.items()},
        project_roles={k: frozenset(v) for k, v in project_roles.items()},
        api_key_id=api_key_id,
        project_orgs=project_orgs,
        limited_to_org_id=limited_to_org_id,
    )


def operator_principal() -> Principal:
    """Who the CLI acts as without --as-email: not a user, never from a request."""
    user = User(id=OPERATOR_ID, email=OPERATOR_EMAIL, name="Operator")
    return Principal(user=user, org_roles={}, project_roles={}, operator=True)
