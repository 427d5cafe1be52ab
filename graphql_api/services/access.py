"""The caller and their roles, loaded once per request."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.expressions import Q

from graphql_api.domain import roles
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import OrgMembership, Project, ProjectMembership, User


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    org_roles: dict[str, frozenset[OrgRole]]
    project_roles: dict[str, frozenset[ProjectRole]]
    api_key_id: str | None = None  # the key this request came with; None for the CLI
    project_orgs: dict[str, str] = field(default_factory=dict)  # organization of each project

    def roles_in(self, project: Project) -> tuple[frozenset[OrgRole], frozenset[ProjectRole]]:
        return (
            self.org_roles.get(project.organization_id, frozenset()),
            self.project_roles.get(project.id, frozenset()),
        )

    def can_read(self, project: Project) -> bool:
        return roles.can_read_project(*self.roles_in(project))

    def can_manage_backups(self, project: Project) -> bool:
        return self.owns_project(project.id)

    def owns_project(self, project_id: str) -> bool:
        """Project Owner of it: the role that manages backups (no I/O)."""
        return roles.can_manage_backups(self.project_roles.get(project_id, frozenset()))

    @property
    def organization_ids(self) -> list[str]:
        """Organizations the caller belongs to or holds a project role in."""
        return sorted(set(self.org_roles) | set(self.project_orgs.values()))

    @property
    def owned_org_ids(self) -> list[str]:
        return [org for org, held in self.org_roles.items() if OrgRole.ORG_OWNER in held]

    def readable_projects(self) -> Q:
        """A filter on Project matching exactly the projects this caller may read."""
        return Q(id__in=list(self.project_roles)) | Q(organization_id__in=self.owned_org_ids)


async def load_principal(user: User, api_key_id: str | None = None) -> Principal:
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
