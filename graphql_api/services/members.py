"""Project members and their roles: Project Owners add, change and remove them.

A member holds one role through these use cases (addProjectOwner may add
Project Owner beside another). A project always keeps a Project Owner. A
new member joins the project's organization too (see domain/accounts.py).
Losing the project takes effect at the next request: roles are read per
request, and the member's live download links in the project are revoked.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from graphql_api.domain import accounts as rules
from graphql_api.domain.names import MAX_EMAIL_LENGTH
from graphql_api.domain.roles import Action, OrgRole, ProjectRole
from graphql_api.models import OrgMembership, Project, ProjectMembership, User
from graphql_api.services import accounts, downloads
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize, find_project
from graphql_api.services.errors import NotFoundError, Refused
from graphql_api.services.paging import Listing, Order
from graphql_api.services.validation import require_id

MEMBER_ORDER = Order(("id",))


async def _scope(principal: Principal, project_id: str) -> Scope:
    project = await find_project(principal, require_id(project_id, "Project id"))
    return Scope(project, f"No project {project_id} among your projects.")


def _subject(project_id: str, email: str) -> str:
    return f"{project_id}:{email[:MAX_EMAIL_LENGTH]}"


async def add_member(
    principal: Principal,
    project_id: str,
    email: str,
    role: ProjectRole,
    now: datetime,
    *,
    name: str | None = None,
) -> ProjectMembership:
    """Add someone (created when unknown) to the project with ``role``."""
    scope = await _scope(principal, project_id)
    async with authorize(
        principal, Action.ADD_PROJECT_MEMBER, scope, subject=_subject(project_id, email), now=now
    ):
        project = scope.project
        assert project is not None
        user = await accounts.find_or_create_user(email, name)
        async with in_transaction():
            if await ProjectMembership.exists(user=user, project=project):
                raise Refused(
                    rules.already_member(user.email, "this project", "updateProjectMemberRole")
                )
            if not await OrgMembership.exists(user=user, organization_id=project.organization_id):
                await OrgMembership.create(
                    user=user, organization_id=project.organization_id, role=OrgRole.ORG_MEMBER
                )
            membership = await ProjectMembership.create(user=user, project=project, role=role)
    return membership


async def change_role(
    principal: Principal, project_id: str, email: str, role: ProjectRole, now: datetime
) -> ProjectMembership:
    """Make a member's role exactly ``role``; the last Project Owner stays one."""
    scope = await _scope(principal, project_id)
    async with authorize(
        principal, Action.CHANGE_PROJECT_ROLE, scope, subject=_subject(project_id, email), now=now
    ):
        assert scope.project is not None
        async with in_transaction():
            project = await _locked(scope.project)
            user = await _member(project, email)
            if rules.leaves_no_owner(
                await _owner_ids(project), user.id, role is ProjectRole.PROJECT_OWNER
            ):
                raise Refused(rules.last_project_owner(user.email))
            await ProjectMembership.filter(user=user, project=project).exclude(role=role).delete()
            membership = await accounts.grant_project_role(user, project, role)
        if role is not ProjectRole.PROJECT_OWNER:
            await _stop_links(principal, user, project, now)
    return membership


async def remove_member(
    principal: Principal, project_id: str, email: str, now: datetime
) -> Project:
    """Take someone out of the project (they stay in its organization)."""
    scope = await _scope(principal, project_id)
    async with authorize(
        principal, Action.REMOVE_PROJECT_MEMBER, scope, subject=_subject(project_id, email),
        now=now,
    ):  # fmt: skip
        assert scope.project is not None
        async with in_transaction():
            project = await _locked(scope.project)
            user = await _member(project, email)
            if rules.leaves_no_owner(await _owner_ids(project), user.id, stays_owner=False):
                raise Refused(rules.last_project_owner(user.email))
            await ProjectMembership.filter(user=user, project=project).delete()
        await _stop_links(principal, user, project, now)
    return project


def members_of_projects() -> Listing[ProjectMembership]:
    """Each project's memberships (one row per member and role)."""
    return Listing(ProjectMembership, MEMBER_ORDER, parents=("project_id",))


async def members_listing(
    principal: Principal, project_id: str
) -> tuple[Project, Listing[ProjectMembership]]:
    """The project's members, for anyone who reads the project (NOT_FOUND otherwise)."""
    scope = await _scope(principal, project_id)
    if scope.project is None:
        raise NotFoundError(scope.missing)
    return scope.project, members_of_projects()


async def _locked(project: Project) -> Project:
    """The project's row, locked: role changes in it go one at a time, so two
    Owners demoting each other cannot leave it without one."""
    return await Project.select_for_update().get(id=project.id)


async def _owner_ids(project: Project) -> list[str]:
    owners = await ProjectMembership.filter(
        project=project, role=ProjectRole.PROJECT_OWNER
    ).values_list("user_id", flat=True)
    return [str(o) for o in owners]


async def _member(project: Project, email: str) -> User:
    user = await accounts.find_user(email)
    if user is None or not await ProjectMembership.exists(user=user, project=project):
        raise Refused(rules.not_a_member(email[:MAX_EMAIL_LENGTH], "this project"))
    return user


async def _stop_links(principal: Principal, user: User, project: Project, now: datetime) -> None:
    await downloads.revoke_links(
        principal.user, now, "Its requester is no longer Project Owner of the project.",
        requested_by=user, project_id=project.id,
    )  # fmt: skip
