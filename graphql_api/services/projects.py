"""What a caller may see: their organizations and projects."""

from __future__ import annotations

from graphql_api.models import Organization, Project
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
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
