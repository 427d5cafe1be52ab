"""Who may do what in a project, from the caller's roles alone.

Every audited action names the permission it needs; ``refusal`` is the one
rule every entry point runs (through services/authorization.py).
"""

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


class Action(enum.StrEnum):
    """What a caller asks to do; the value is what the audit trail shows."""

    DOWNLOAD_SNAPSHOT = "DOWNLOAD_REQUESTED"
    RESTORE_SNAPSHOT = "RESTORE_REQUESTED"
    REVOKE_DOWNLOAD = "DOWNLOAD_REVOKED"
    TAKE_ON_DEMAND_SNAPSHOT = "ON_DEMAND_SNAPSHOT_REQUESTED"
    CHANGE_BACKUP_POLICY = "BACKUP_POLICY_CHANGE_REQUESTED"
    ADD_PROJECT_OWNER = "PROJECT_OWNER_ADDED"
    READ_AUDIT_TRAIL = "AUDIT_TRAIL_READ"  # checked, not recorded
    USE_DOWNLOAD_LINK = "DOWNLOAD_LINK_REFUSED"  # recorded only when refused


class Permission(enum.Enum):
    MANAGE_BACKUPS = "manage backups"
    GRANT_PROJECT_ROLES = "grant project roles"


NEEDS: dict[Action, Permission] = {
    Action.DOWNLOAD_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.RESTORE_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.REVOKE_DOWNLOAD: Permission.MANAGE_BACKUPS,
    Action.TAKE_ON_DEMAND_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.CHANGE_BACKUP_POLICY: Permission.MANAGE_BACKUPS,
    Action.READ_AUDIT_TRAIL: Permission.MANAGE_BACKUPS,
    Action.USE_DOWNLOAD_LINK: Permission.MANAGE_BACKUPS,
    Action.ADD_PROJECT_OWNER: Permission.GRANT_PROJECT_ROLES,
}

ORG_OWNER_MUST_JOIN = (
    "Organization Owners do not manage backups implicitly: add yourself as Project Owner "
    "of this project first (mutation addProjectOwner), then try again."
)
NOT_PROJECT_OWNER = "Managing backups requires the Project Owner role on this project."
NOT_GRANTING = "Only Organization Owners and Project Owners may add Project Owners."
NO_AUDIT_TRAIL = "Only Project Owners may read this project's audit trail."


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


def refusal(
    action: Action, org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> str | None:
    """Why the caller may not do ``action`` in the project, or None when they may."""
    if NEEDS[action] is Permission.GRANT_PROJECT_ROLES:
        return None if can_grant_project_roles(org_roles, project_roles) else NOT_GRANTING
    if action is Action.READ_AUDIT_TRAIL:
        return None if can_manage_backups(project_roles) else NO_AUDIT_TRAIL
    return manage_backups_refusal(org_roles, project_roles)
