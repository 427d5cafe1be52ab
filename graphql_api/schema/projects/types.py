from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api import models
from graphql_api.domain.roles import Action
from graphql_api.models import DeliveryType
from graphql_api.schema.accounts.members import ProjectMember, ProjectRole
from graphql_api.schema.backups.types import AuditEvent, BackupJob
from graphql_api.schema.clusters.types import Cluster, ClusterTier
from graphql_api.schema.context import Info
from graphql_api.schema.pagination import (
    Connection,
    load_page,
    selects_node_field,
    to_connection,
)
from graphql_api.schema.snapshots.types import Snapshot, SnapshotStatus, prefetch_clusters
from graphql_api.services import audit as audit_service
from graphql_api.services import authorization
from graphql_api.services import clusters as cluster_service
from graphql_api.services import jobs as job_service
from graphql_api.services import members as member_service
from graphql_api.services import snapshots as snapshot_service

if TYPE_CHECKING:
    from graphql_api.schema.accounts.types import Organization


@strawberry.type(description="A project (Atlas: group) and its clusters.")
class Project:
    id: strawberry.ID
    name: str
    organization_id: strawberry.ID
    _model: strawberry.Private[models.Project]

    @classmethod
    def from_model(cls, p: models.Project) -> Project:
        return cls(
            id=strawberry.ID(p.id),
            name=p.name,
            organization_id=strawberry.ID(p.organization_id),
            _model=p,
        )

    @strawberry.field
    async def organization(
        self, info: Info
    ) -> Annotated[Organization, strawberry.lazy("graphql_api.schema.accounts.types")]:
        from graphql_api.schema.accounts.types import Organization

        model = await info.context.loaders.organization.load(self._model.organization_id)
        assert model is not None
        return Organization.from_model(model)

    @strawberry.field(description="The caller's own roles in this project.")
    def viewer_roles(self, info: Info) -> list[ProjectRole]:
        return sorted(info.context.principal.roles_in(self._model)[1])

    @strawberry.field(description="Whether the caller may restore and download (Project Owner).")
    def viewer_can_manage_backups(self, info: Info) -> bool:
        return self.viewer_manage_backups_blocker(info) is None

    @strawberry.field(description="Why the caller may not manage backups, or null when they may.")
    def viewer_manage_backups_blocker(self, info: Info) -> str | None:
        # Downloads and restores need the same permission; the rule is the services' own.
        return authorization.refusal(info.context.principal, Action.DOWNLOAD_SNAPSHOT, self._model)

    @strawberry.field(description="Its members and their roles (one entry per role).")
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProjectMember]:
        listing = member_service.members_of_projects()
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, ProjectMember.from_model)

    @strawberry.field(description="Clusters by name; filter by tier.")
    async def clusters(
        self,
        info: Info,
        tier: ClusterTier | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include_deleted: Annotated[
            bool,
            strawberry.argument(
                description="Also deleted clusters, whose snapshots may still be kept."
            ),
        ] = False,
    ) -> Connection[Cluster]:
        listing = cluster_service.clusters_of_projects(tier, include_deleted=include_deleted)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, Cluster.from_model)

    @strawberry.field(description="M10+ clusters with Cloud Backup enabled.")
    async def cloud_backup_clusters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Cluster]:
        listing = cluster_service.cloud_backup_clusters_of_projects()
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, Cluster.from_model)

    @strawberry.field
    async def cluster(self, info: Info, name: str) -> Cluster | None:
        found = await info.context.loaders.cluster_by_name.load((self.id, name))
        return None if found is None else Cluster.from_model(found)

    @strawberry.field(description='"All Daily Snapshots": every cluster\'s, newest first.')
    async def snapshots(
        self,
        info: Info,
        cluster_name: str | None = None,
        status: SnapshotStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Snapshot]:
        listing = snapshot_service.snapshots_of_projects(cluster_name, status)
        # Their clusters come in the page's own statement when the rows ask for them.
        related = ("cluster",) if selects_node_field(info, "cluster") else ()
        page = await load_page(info, listing, self.id, first, after, last, before, related)
        await prefetch_clusters(info, page.items)  # at hand by now: no statement
        return to_connection(page, Snapshot.from_model)

    @strawberry.field(description="Restores of this project's snapshots or into its clusters.")
    async def restore_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BackupJob]:
        listing = job_service.jobs_of_projects(DeliveryType.RESTORE)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, BackupJob.from_model)

    @strawberry.field(description="Downloads of this project's snapshots.")
    async def download_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BackupJob]:
        listing = job_service.jobs_of_projects(DeliveryType.DOWNLOAD)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, BackupJob.from_model)

    @strawberry.field(
        description="Every restore and download request, allowed or refused (Project Owners)."
    )
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEvent]:
        listing = audit_service.events_of_projects(info.context.principal, self._model)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, AuditEvent.from_model)
