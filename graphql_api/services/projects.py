"""Projects: what a caller may see, and creating, renaming and deleting them."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from graphql_api.domain.accounts import project_has_clusters
from graphql_api.domain.roles import Action, ProjectRole
from graphql_api.models import Cluster, Organization, Project
from graphql_api.services import accounts, authorization, organizations
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize
from graphql_api.services.errors import Refused
from graphql_api.services.paging import In, Listing, Order
from graphql_api.services.validation import require_id

NAME_ORDER = Order(("name", "id"))


async def get_project(principal: Principal, project_id: str) -> Project | None:
    """The project, or None when it does not exist or the caller may not read it."""
    return await authorization.find_project(principal, require_id(project_id, "Project id"))


def readable_projects(principal: Principal) -> Listing[Project]:
    """Every project the caller can read, across organizations."""
    return Listing(Project, NAME_ORDER, where=(authorization.readable_condition(principal),))


def readable_projects_of_organizations(principal: Principal) -> Listing[Project]:
    """Each organization's projects that the caller can read."""
    return Listing(
        Project,
        NAME_ORDER,
        parents=("organization_id",),
        where=(authorization.readable_condition(principal),),
    )


def readable_organizations(principal: Principal) -> Listing[Organization]:
    """Organizations the caller belongs to, or holds a project role in."""
    return Listing(Organization, NAME_ORDER, where=(In("id", tuple(principal.organization_ids)),))


async def create_project(
    principal: Principal, organization_id: str, name: str, now: datetime
) -> Project:
    """Organization Owners create projects; the creator becomes its Project Owner
    (the operator creates it ownerless: add one with add-project-member)."""
    scope = await organizations.get_organization(principal, organization_id)
    async with authorize(principal, Action.CREATE_PROJECT, scope, subject=name, now=now) as audit:
        assert scope.organization is not None
        project = await accounts.create_project(scope.organization, name)
        audit.project_ids.append(project.id)
        audit.subject = project.id
        if not principal.operator:
            await accounts.grant_project_role(principal.user, project, ProjectRole.PROJECT_OWNER)
    return project


async def rename_project(
    principal: Principal, project_id: str, name: str, now: datetime
) -> Project:
    project = await get_project(principal, project_id)
    scope = Scope(project, f"No project {project_id} among your projects.")
    async with authorize(principal, Action.RENAME_PROJECT, scope, subject=project_id, now=now):
        assert project is not None
        project.name = accounts.clean_name(name, "Project name")
        try:
            await project.save(update_fields=["name"])
        except IntegrityError:
            organization = await Organization.get(id=project.organization_id)
            raise Refused(accounts.project_name_taken(organization, project.name)) from None
    return project


async def delete_project(principal: Principal, project_id: str, now: datetime) -> str:
    """Delete a project without clusters. A deleted cluster whose snapshots are
    still kept counts: deleting the project would delete them by surprise."""
    project = await get_project(principal, project_id)
    scope = Scope(project, f"No project {project_id} among your projects.")
    async with authorize(principal, Action.DELETE_PROJECT, scope, subject=project_id, now=now):
        assert project is not None
        async with in_transaction():
            clusters = await Cluster.filter(project_id=project.id).count()
            if clusters:
                raise Refused(project_has_clusters(project.name, clusters))
            await project.delete()
    return project.id
