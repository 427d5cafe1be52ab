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
    # Accounts: organizations, projects, members, API keys.
    CREATE_ORGANIZATION = "ORGANIZATION_CREATED"
    RENAME_ORGANIZATION = "ORGANIZATION_RENAMED"
    ADD_ORG_MEMBER = "ORG_MEMBER_ADDED"
    CHANGE_ORG_ROLE = "ORG_ROLE_CHANGED"
    REMOVE_ORG_MEMBER = "ORG_MEMBER_REMOVED"
    CREATE_PROJECT = "PROJECT_CREATED"
    RENAME_PROJECT = "PROJECT_RENAMED"
    DELETE_PROJECT = "PROJECT_DELETED"
    ADD_PROJECT_MEMBER = "PROJECT_MEMBER_ADDED"
    CHANGE_PROJECT_ROLE = "PROJECT_ROLE_CHANGED"
    REMOVE_PROJECT_MEMBER = "PROJECT_MEMBER_REMOVED"
    CREATE_API_KEY = "API_KEY_CREATED"
    REVOKE_API_KEY = "API_KEY_REVOKED"
    LIST_API_KEYS = "API_KEYS_READ"  # checked, not recorded
    CREATE_API_KEY_PAIR = "API_KEY_PAIR_CREATED"
    REVOKE_API_KEY_PAIR = "API_KEY_PAIR_REVOKED"
    LIST_API_KEY_PAIRS = "API_KEY_PAIRS_READ"  # checked, not recorded
    # --- Cluster lifecycle (issue 12) ---
    CREATE_FLEX_CLUSTER = "FLEX_CLUSTER_CREATED"
    UPDATE_FLEX_CLUSTER = "FLEX_CLUSTER_UPDATED"
    DELETE_FLEX_CLUSTER = "FLEX_CLUSTER_DELETED"
    UPGRADE_FLEX_CLUSTER = "FLEX_CLUSTER_UPGRADED"
    REGISTER_DEDICATED_CLUSTER = "DEDICATED_CLUSTER_REGISTERED"
    SET_CLUSTER_CONNECTION = "CLUSTER_CONNECTION_SET"
    ROTATE_CLUSTER_CREDENTIALS = "CLUSTER_CREDENTIALS_ROTATED"


class Permission(enum.Enum):
    MANAGE_BACKUPS = "manage backups"
    GRANT_PROJECT_ROLES = "grant project roles"
    ANYONE = "act for yourself"  # any authenticated caller
    MANAGE_ORGANIZATION = "manage the organization"  # Org Owners: name, members, their keys
    MANAGE_PROJECTS = "manage projects"  # Org Owners: create, rename, delete
    MANAGE_MEMBERS = "manage project members"  # Project Owners
    MANAGE_CLUSTERS = "manage clusters"  # Atlas: Project Owner creates, updates, deletes
    UPGRADE_CLUSTERS = "upgrade clusters"  # Atlas tenantUpgrade: Project Cluster Manager


NEEDS: dict[Action, Permission] = {
    Action.DOWNLOAD_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.RESTORE_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.REVOKE_DOWNLOAD: Permission.MANAGE_BACKUPS,
    Action.TAKE_ON_DEMAND_SNAPSHOT: Permission.MANAGE_BACKUPS,
    Action.CHANGE_BACKUP_POLICY: Permission.MANAGE_BACKUPS,
    Action.READ_AUDIT_TRAIL: Permission.MANAGE_BACKUPS,
    Action.USE_DOWNLOAD_LINK: Permission.MANAGE_BACKUPS,
    Action.ADD_PROJECT_OWNER: Permission.GRANT_PROJECT_ROLES,
    Action.CREATE_ORGANIZATION: Permission.ANYONE,
    Action.RENAME_ORGANIZATION: Permission.MANAGE_ORGANIZATION,
    Action.ADD_ORG_MEMBER: Permission.MANAGE_ORGANIZATION,
    Action.CHANGE_ORG_ROLE: Permission.MANAGE_ORGANIZATION,
    Action.REMOVE_ORG_MEMBER: Permission.MANAGE_ORGANIZATION,
    Action.CREATE_PROJECT: Permission.MANAGE_PROJECTS,
    Action.RENAME_PROJECT: Permission.MANAGE_PROJECTS,
    Action.DELETE_PROJECT: Permission.MANAGE_PROJECTS,
    Action.ADD_PROJECT_MEMBER: Permission.MANAGE_MEMBERS,
    Action.CHANGE_PROJECT_ROLE: Permission.MANAGE_MEMBERS,
    Action.REMOVE_PROJECT_MEMBER: Permission.MANAGE_MEMBERS,
    # Your own keys need no role; someone else's are checked in their organization.
    Action.CREATE_API_KEY: Permission.MANAGE_ORGANIZATION,
    Action.REVOKE_API_KEY: Permission.MANAGE_ORGANIZATION,
    Action.LIST_API_KEYS: Permission.MANAGE_ORGANIZATION,
    Action.CREATE_API_KEY_PAIR: Permission.MANAGE_ORGANIZATION,
    Action.REVOKE_API_KEY_PAIR: Permission.MANAGE_ORGANIZATION,
    Action.LIST_API_KEY_PAIRS: Permission.MANAGE_ORGANIZATION,
    Action.CREATE_FLEX_CLUSTER: Permission.MANAGE_CLUSTERS,
    Action.UPDATE_FLEX_CLUSTER: Permission.MANAGE_CLUSTERS,
    Action.DELETE_FLEX_CLUSTER: Permission.MANAGE_CLUSTERS,
    Action.REGISTER_DEDICATED_CLUSTER: Permission.MANAGE_CLUSTERS,
    Action.SET_CLUSTER_CONNECTION: Permission.MANAGE_CLUSTERS,
    Action.ROTATE_CLUSTER_CREDENTIALS: Permission.MANAGE_CLUSTERS,
    Action.UPGRADE_FLEX_CLUSTER: Permission.UPGRADE_CLUSTERS,
}

ORG_OWNER_MUST_JOIN = (
    "Organization Owners do not manage backups implicitly: add yourself as Project Owner "
    "of this project first (mutation addProjectOwner), then try again."
)
NOT_PROJECT_OWNER = "Managing backups requires the Project Owner role on this project."
NOT_GRANTING = "Only Organization Owners and Project Owners may add Project Owners."
NO_AUDIT_TRAIL = "Only Project Owners may read this project's audit trail."
NOT_ORG_OWNER = "Only Organization Owners may do this in their organization."
NOT_MANAGING_PROJECTS = "Only Organization Owners create, rename and delete projects."
ORG_OWNER_MUST_JOIN_MEMBERS = (
    "Organization Owners do not manage project members implicitly: add yourself as Project "
    "Owner of this project first (mutation addProjectOwner), then try again."
)
NOT_MANAGING_MEMBERS = "Only Project Owners manage this project's members and roles."
NOT_CLUSTER_OWNER = "Creating, changing and deleting clusters requires the Project Owner role."
NOT_CLUSTER_MANAGER = (
    "Upgrading a cluster requires the Project Owner or Project Cluster Manager role."
)
ORG_OWNER_MUST_JOIN_CLUSTERS = (
    "Organization Owners do not manage clusters implicitly: add yourself as Project Owner "
    "of this project first (mutation addProjectOwner), then try again."
)


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


def manage_members_refusal(
    org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> str | None:
    """Project Owners manage members; an Org Owner is told to join first."""
    if ProjectRole.PROJECT_OWNER in project_roles:
        return None
    if OrgRole.ORG_OWNER in org_roles:
        return ORG_OWNER_MUST_JOIN_MEMBERS
    return NOT_MANAGING_MEMBERS


def refusal(
    action: Action, org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> str | None:
    """Why the caller may not do ``action`` in the project, or None when they may."""
    permission = NEEDS[action]
    if permission is Permission.GRANT_PROJECT_ROLES:
        return None if can_grant_project_roles(org_roles, project_roles) else NOT_GRANTING
    if permission is Permission.ANYONE:
        return None
    if permission is Permission.MANAGE_ORGANIZATION:
        return None if OrgRole.ORG_OWNER in org_roles else NOT_ORG_OWNER
    if permission is Permission.MANAGE_PROJECTS:
        return None if OrgRole.ORG_OWNER in org_roles else NOT_MANAGING_PROJECTS
    if permission is Permission.MANAGE_MEMBERS:
        return manage_members_refusal(org_roles, project_roles)
    if action is Action.READ_AUDIT_TRAIL:
        return None if can_manage_backups(project_roles) else NO_AUDIT_TRAIL
    if NEEDS[action] in (Permission.MANAGE_CLUSTERS, Permission.UPGRADE_CLUSTERS):
        return cluster_refusal(NEEDS[action], org_roles, project_roles)
    return manage_backups_refusal(org_roles, project_roles)


def cluster_refusal(
    permission: Permission, org_roles: Collection[OrgRole], project_roles: Collection[ProjectRole]
) -> str | None:
    """Project Owners manage clusters; Cluster Managers may also upgrade them."""
    allowed = {ProjectRole.PROJECT_OWNER}
    if permission is Permission.UPGRADE_CLUSTERS:
        allowed.add(ProjectRole.PROJECT_CLUSTER_MANAGER)
    if allowed & set(project_roles):
        return None
    if OrgRole.ORG_OWNER in org_roles:
        return ORG_OWNER_MUST_JOIN_CLUSTERS
    return NOT_CLUSTER_MANAGER if permission is Permission.UPGRADE_CLUSTERS else NOT_CLUSTER_OWNER
