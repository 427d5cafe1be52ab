"""Creating organizations, projects, users and granting roles."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError

from graphql_api.domain.accounts import AccountRefusal
from graphql_api.domain.names import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_USER_NAME_LENGTH,
    could_be_stored,
    normalize_email,
)
from graphql_api.domain.refusals import Refusal
from graphql_api.domain.roles import Action, OrgRole, ProjectRole
from graphql_api.models import Organization, OrgMembership, Project, ProjectMembership, User
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize, find_project
from graphql_api.services.errors import ConflictError, InvalidInputError, NotFoundError, Refused
from graphql_api.services.validation import require_id


def clean_name(value: str, what: str, max_length: int = MAX_NAME_LENGTH) -> str:
    name = value.strip()
    if not could_be_stored(name, max_length):
        raise InvalidInputError(f"{what} must be 1 to {max_length} characters, none of them NUL.")
    return name


async def create_organization(name: str) -> Organization:
    return await Organization.create(name=clean_name(name, "Organization name"))


async def create_project(organization: Organization, name: str) -> Project:
    name = clean_name(name, "Project name")
    try:
        return await Project.create(organization=organization, name=name)
    except IntegrityError:
        raise Refused(project_name_taken(organization, name)) from None


def project_name_taken(organization: Organization, name: str) -> Refusal:
    return Refusal(
        AccountRefusal.PROJECT_NAME_TAKEN,
        f"Organization {organization.name!r} already has a project named {name!r}.",
        "name",
    )


async def create_user(email: str, name: str) -> User:
    email = normalize_email(email)
    if "@" not in email or not could_be_stored(email, MAX_EMAIL_LENGTH):
        raise InvalidInputError(f"{email[:MAX_EMAIL_LENGTH]!r} is not an email address.")
    try:
        return await User.create(
            email=email, name=clean_name(name, "User name", MAX_USER_NAME_LENGTH)
        )
    except IntegrityError:
        raise ConflictError(f"A user with email {email!r} already exists.") from None


async def find_user(email: str) -> User | None:
    email = normalize_email(email)
    if not could_be_stored(email, MAX_EMAIL_LENGTH):
        return None
    return await User.get_or_none(email=email)


async def find_or_create_user(email: str, name: str | None) -> User:
    """The user with this email; a new one (named ``name``, else after the
    email) when nobody has it yet."""
    found = await find_user(email)
    if found is not None:
        return found
    email = normalize_email(email)
    return await create_user(email, name or email.partition("@")[0] or email)


async def grant_org_role(user: User, organization: Organization, role: OrgRole) -> OrgMembership:
    return (await OrgMembership.get_or_create(user=user, organization=organization, role=role))[0]


async def grant_project_role(user: User, project: Project, role: ProjectRole) -> ProjectMembership:
    return (await ProjectMembership.get_or_create(user=user, project=project, role=role))[0]


async def add_project_owner(
    principal: Principal, project_id: str, now: datetime, user_email: str | None = None
) -> Project:
    """Organization Owners (for their organization's projects) and Project Owners
    may make someone a Project Owner; with no email, the caller themself."""
    project = await find_project(principal, require_id(project_id, "Project id"))
    scope = Scope(project, f"No project {project_id} among your projects.")
    subject = user_email or principal.user.email
    async with authorize(principal, Action.ADD_PROJECT_OWNER, scope, subject=subject, now=now):
        assert project is not None
        user = principal.user
        if user_email is not None:
            found = await find_user(user_email)
            if found is None or not await in_organization(found, project.organization_id):
                raise NotFoundError(
                    f"No user {user_email[:MAX_EMAIL_LENGTH]!r} in this project's organization."
                )
            user = found
        await grant_project_role(user, project, ProjectRole.PROJECT_OWNER)
    return project


async def in_organization(user: User, organization_id: str) -> bool:
    """In the organization, or in one of its projects (older data has project
    members who are not organization members)."""
    return await OrgMembership.exists(
        user=user, organization_id=organization_id
    ) or await ProjectMembership.exists(user=user, project__organization_id=organization_id)
