"""Rules of organizations, projects and their members (no I/O).

A project always keeps a Project Owner and an organization an Organization
Owner: the last one cannot be removed or demoted. A project member belongs
to the project's organization (adding someone to a project makes them an
Organization Member if they were not in it), so removing someone from the
organization removes them from its projects too.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from graphql_api.domain.refusals import Refusal


class AccountRefusal(enum.StrEnum):
    """Business refusals of account changes; stable across releases."""

    PROJECT_NAME_TAKEN = "PROJECT_NAME_TAKEN"
    PROJECT_HAS_CLUSTERS = "PROJECT_HAS_CLUSTERS"
    LAST_PROJECT_OWNER = "LAST_PROJECT_OWNER"
    LAST_ORG_OWNER = "LAST_ORG_OWNER"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    NOT_A_MEMBER = "NOT_A_MEMBER"


def leaves_no_owner(owner_ids: Collection[str], user_id: str, stays_owner: bool) -> bool:
    """Whether ``user_id`` losing (or keeping) ownership leaves nobody owning."""
    if stays_owner or user_id not in owner_ids:
        return False
    return not set(owner_ids) - {user_id}


def last_project_owner(email: str) -> Refusal:
    return Refusal(
        AccountRefusal.LAST_PROJECT_OWNER,
        f"{email} is the last Project Owner of this project: make someone else Project Owner "
        "first (a project always keeps one).",
        "userEmail",
    )


def last_org_owner(email: str) -> Refusal:
    return Refusal(
        AccountRefusal.LAST_ORG_OWNER,
        f"{email} is the last Organization Owner: make someone else Organization Owner first "
        "(an organization always keeps one).",
        "userEmail",
    )


def project_has_clusters(project_name: str, cluster_count: int) -> Refusal:
    return Refusal(
        AccountRefusal.PROJECT_HAS_CLUSTERS,
        f"Project {project_name!r} still has {cluster_count} cluster(s); delete them first. "
        "A deleted cluster counts while its snapshots are kept (they stay downloadable and "
        "restorable until they expire), so the project can be deleted once they have.",
        "projectId",
    )


def not_a_member(email: str, where: str) -> Refusal:
    return Refusal(AccountRefusal.NOT_A_MEMBER, f"{email} is not a member of {where}.", "userEmail")


def already_member(email: str, where: str, instead: str) -> Refusal:
    return Refusal(
        AccountRefusal.ALREADY_MEMBER,
        f"{email} is already a member of {where}; to change their role use {instead}.",
        "userEmail",
    )
