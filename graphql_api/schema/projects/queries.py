from __future__ import annotations

import strawberry

from graphql_api.schema.context import Info
from graphql_api.schema.projects.types import Project
from graphql_api.services import projects as project_service


@strawberry.type
class ProjectsQuery:
    @strawberry.field(description="A project you have a role in; null if unknown or not yours.")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        found = await project_service.get_project(info.context.principal, id)
        if found is None:
            return None
        info.context.loaders.prime([found])
        return Project.from_model(found)
