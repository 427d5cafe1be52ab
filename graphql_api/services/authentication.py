"""Authentication: from an API key to the caller and the roles they hold."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graphql_api.domain import api_keys
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import ApiKey, OrgMembership, Project, ProjectMembership, User

# The CLI's operator: no user row, every permission, audited under this id.
OPERATOR_ID = "0" * 24
OPERATOR_EMAIL = "operator (cli)"

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
    key = await ApiKey.get_or_none(id=parsed.key_id, revoked_at=None).select_related("user")
    if key is None or not api_keys.secret_matches(parsed.secret, key.secret_hash):
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        await ApiKey.filter(id=key.id).update(last_used_at=now)
    return await load_principal(key.user, key.id)


async def load_principal(user: User, api_key_id: str | None = None) -> Principal:
    """The user's roles as they are now (after a change, read them again)."""
    org_roles: dict[str, set[OrgRole]] = defaultdict(set)
    for org_id, org_role in await OrgMembership.filter(user=user).values_list(
        "organization_id", "role"
    ):
        org_roles[org_id].add(OrgRole(org_role))
    project_roles: dict[str, set[ProjectRole]] = defaultdict(set)
    project_orgs: dict[str, str] = {}
    for project_id, project_role, org_id in await ProjectMembership.filter(user=user).values_list(
        "project_id", "role", "project__organization_id"
    ):
        project_roles[project_id].add(ProjectRole(project_role))
        project_orgs[project_id] = org_id
    return Principal(
        user=user,
        org_roles={k: frozenset(v) for k, v in org_roles.items()},
        project_roles={k: frozenset(v) for k, v in project_roles.items()},
        api_key_id=api_key_id,
        project_orgs=project_orgs,
    )


def operator_principal() -> Principal:
    """Who the CLI acts as without --as-email: not a user, never from a request."""
    user = User(id=OPERATOR_ID, email=OPERATOR_EMAIL, name="Operator")
    return Principal(user=user, org_roles={}, project_roles={}, operator=True)
