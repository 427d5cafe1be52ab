"""Who may do what in a project, from the caller's roles alone."""

from __future__ import annotations

import enum
from collections.abc import Collection


class OrgRole(enum.StrEnum):
    ORG_OWNER = "ORG_OWNER"
    ORG_MEMBER = "ORG_MEMBER"


class ProjectRole(enum.StrEnum):
    PROJECT_OWNER = "PROJECT_OWNER"
    PROJECT_CLUSTER_MANAGER = "PROJECT_CLUSTER_MANAGER"
    PROJECT_DATA_ACCESS_ADMIN = "PROJECT_DATA_ACCESS_ADMIN"
    PROJECT_READ_ONLY = "PROJECT_READ_ONLY"


ORG_OWNER_MUST_JOIN = (
    "Organization Owners do not manage backups implicitly: add yourself as Project Owner "
    "of this project first (mutation addProjectOwner), then try again."
)
NOT_PROJECT_OWNER = "Managing backups requires the Project Owner role on this project."


def can_read_project(
    org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> bool:
    """Any project role reads; so does an Owner of the project's organization."""
    return bool(project_roles) or OrgRole.ORG_OWNER in org_roles


def can_manage_backups(project_roles: Collection[ProjectRole]) -> bool:
    """Only Project Owners restore and download; Org Owners must join first."""
    return ProjectRole.PROJECT_OWNER in project_roles


def manage_backups_refusal(
    org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> str | None:
    """Why the caller may not manage backups, or None when they may."""
    if can_manage_backups(project_roles):
        return None
    if OrgRole.ORG_OWNER in org_roles:
        return ORG_OWNER_MUST_JOIN
    return NOT_PROJECT_OWNER


def can_grant_project_roles(
    org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> bool:
    """Org Owners administer their organization's projects; Project Owners their own."""
    return OrgRole.ORG_OWNER in org_roles or ProjectRole.PROJECT_OWNER in project_roles
