from __future__ import annotations

import strawberry

from graphql_api.schema.clusters.types import Cluster
from graphql_api.schema.context import Info
from graphql_api.services import clusters as cluster_service


@strawberry.type
class ClustersQuery:
    @strawberry.field(description="A cluster by project id and name (names are per project).")
    async def cluster(self, info: Info, project_id: strawberry.ID, name: str) -> Cluster | None:
        project, found = await cluster_service.find_cluster(
            info.context.principal, project_id, name
        )
        if project is None or found is None:
            return None
        info.context.loaders.prime([project, found])
        return Cluster.from_model(found)
