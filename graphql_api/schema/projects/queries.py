from __future__ import annotations

import strawberry

from graphql_api.schema.clusters.types import Cluster
from graphql_api.schema.context import Info
from graphql_api.schema.projects.types import Project
from graphql_api.schema.snapshots.types import Snapshot
from graphql_api.services import clusters as cluster_service
from graphql_api.services import projects as project_service
from graphql_api.services import snapshots as snapshot_service


@strawberry.type
class ProjectsQuery:
    @strawberry.field(description="A project you have a role in; null if unknown or not yours.")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        found = await project_service.get_project(info.context.principal, id)
        if found is None:
            return None
        info.context.loaders.prime([found])
        return Project.from_model(found)

    @strawberry.field(description="A cluster by project id and name (names are per project).")
    async def cluster(self, info: Info, project_id: strawberry.ID, name: str) -> Cluster | None:
        project = await project_service.get_project(info.context.principal, project_id)
        found = None if project is None else await cluster_service.get_cluster(project, name)
        if project is None or found is None:
            return None
        info.context.loaders.prime([project, found])
        return Cluster.from_model(found)

    @strawberry.field(description="A snapshot by id; null if unknown or not yours.")
    async def snapshot(self, info: Info, id: strawberry.ID) -> Snapshot | None:
        found = await snapshot_service.get_snapshot(info.context.principal, id)
        return None if found is None else Snapshot.from_model(found)
