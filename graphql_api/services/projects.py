"""What a caller may see: their organizations and projects."""

from __future__ import annotations

from graphql_api.domain.ids import is_valid_id
from graphql_api.models import Organization, Project
from graphql_api.services.access import Principal
from graphql_api.services.errors import InvalidInputError
from graphql_api.services.paging import AnyOf, Condition, In, Listing, Order

NAME_ORDER = Order(("name", "id"))


def require_id(value: str, what: str) -> str:
    if not is_valid_id(value):
        raise InvalidInputError(
            f"{what} {value!r} is not a valid id: expected 24 hexadecimal characters.",
            code="INVALID_ID",
        )
    return value


async def get_project(principal: Principal, project_id: str) -> Project | None:
    """The project, or None when it does not exist or the caller may not read it."""
    require_id(project_id, "Project id")
    return await Project.filter(principal.readable_projects(), id=project_id).first()


def _readable(principal: Principal) -> Condition:
    """Exactly the projects this caller may read: theirs, and their organizations'."""
    return AnyOf(
        (
            In("id", tuple(sorted(principal.project_roles))),
            In("organization_id", tuple(principal.owned_org_ids)),
        )
    )


def readable_projects(principal: Principal) -> Listing[Project]:
    """Every project the caller can read, across organizations."""
    return Listing(Project, NAME_ORDER, where=(_readable(principal),))


def readable_projects_of_organizations(principal: Principal) -> Listing[Project]:
    """Each organization's projects that the caller can read."""
    return Listing(Project, NAME_ORDER, parents=("organization_id",), where=(_readable(principal),))


def readable_organizations(principal: Principal) -> Listing[Organization]:
    """Organizations the caller belongs to, or holds a project role in."""
    return Listing(Organization, NAME_ORDER, where=(In("id", tuple(principal.organization_ids)),))
