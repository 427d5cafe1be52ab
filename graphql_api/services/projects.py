"""What a caller may see: their organizations and projects."""

from __future__ import annotations

from tortoise.expressions import Q

from graphql_api.domain.ids import is_valid_id
from graphql_api.models import Organization, Project
from graphql_api.services.access import Principal
from graphql_api.services.errors import InvalidInputError
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query

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


async def list_projects(
    principal: Principal, page: PageRequest, organization_id: str | None = None
) -> Page[Project]:
    query = Project.filter(principal.readable_projects())
    if organization_id is not None:
        query = query.filter(organization_id=organization_id)
    return await paginate_query(query, NAME_ORDER, page)


async def list_organizations(principal: Principal, page: PageRequest) -> Page[Organization]:
    """Organizations the caller belongs to, or holds a project role in."""
    project_orgs = Project.filter(id__in=list(principal.project_roles)).values_list(
        "organization_id", flat=True
    )
    query = Organization.filter(Q(id__in=list(principal.org_roles)) | Q(id__in=await project_orgs))
    return await paginate_query(query, NAME_ORDER, page)
