from __future__ import annotations

import strawberry

from graphql_api.domain.refusals import Refusal
from graphql_api.schema.backups.types import BackupJob, UserError, UserErrorCode
from graphql_api.schema.clusters.types import Cluster
from graphql_api.schema.context import Info
from graphql_api.schema.projects.types import Project
from graphql_api.services import accounts, downloads, policies, restores
from graphql_api.services.authentication import reload_principal


@strawberry.input
class RestoreSnapshotInput:
    snapshot_id: strawberry.ID
    target_project_id: strawberry.ID
    target_cluster_name: str = strawberry.field(description="Must be a replica set.")
    confirm_target_cluster_name: str = strawberry.field(
        description="The target's name again: the restore overwrites all its data."
    )


@strawberry.input(description="The policy a caller wants; Flex clusters have a fixed one.")
class UpdateBackupPolicyInput:
    project_id: strawberry.ID
    cluster_name: str
    frequency_hours: int | None = None
    time_of_day_utc: str | None = strawberry.field(default=None, description="HH:MM")
    retained_snapshots: int | None = None


@strawberry.type
class BackupPolicyRequestPayload:
    cluster: Cluster | None = strawberry.field(description="The cluster and its current policy.")
    user_errors: list[UserError]


@strawberry.type
class DownloadSnapshotPayload:
    job: BackupJob | None
    user_errors: list[UserError]


@strawberry.type
class RestoreSnapshotPayload:
    job: BackupJob | None
    user_errors: list[UserError]


@strawberry.type
class RevokeDownloadPayload:
    job: BackupJob


@strawberry.type
class AddProjectOwnerPayload:
    project: Project | None


def _user_error(refusal: Refusal) -> UserError:
    return UserError(
        code=UserErrorCode(refusal.code.value), message=refusal.message, field=refusal.field
    )


@strawberry.type
class BackupsMutation:
    @strawberry.mutation(
        description="A signed, expiring download link for a COMPLETED snapshot.",
    )
    async def download_snapshot(
        self, info: Info, snapshot_id: strawberry.ID
    ) -> DownloadSnapshotPayload:
        ctx = info.context
        try:
            job = await downloads.request_download(
                ctx.principal, snapshot_id, ctx.settings, ctx.clock()
            )
        except downloads.SnapshotNotDownloadable as exc:
            error = UserError(
                code=UserErrorCode.SNAPSHOT_NOT_COMPLETED, message=exc.message, field="snapshotId"
            )
            return DownloadSnapshotPayload(job=None, user_errors=[error])
        return DownloadSnapshotPayload(job=BackupJob.from_model(job), user_errors=[])

    @strawberry.mutation(
        description="Restore a snapshot onto a replica set, overwriting its data.",
    )
    async def restore_snapshot(
        self, info: Info, input: RestoreSnapshotInput
    ) -> RestoreSnapshotPayload:
        result = await restores.request_restore(
            info.context.principal,
            snapshot_id=input.snapshot_id,
            target_project_id=input.target_project_id,
            target_cluster_name=input.target_cluster_name,
            confirm_target_cluster_name=input.confirm_target_cluster_name,
            now=info.context.clock(),
        )
        return RestoreSnapshotPayload(
            job=BackupJob.from_model(result.job) if result.job else None,
            user_errors=[_user_error(r) for r in result.refusals],
        )

    @strawberry.mutation(
        description="Make a download link stop working before it expires.",
    )
    async def revoke_download(self, info: Info, job_id: strawberry.ID) -> RevokeDownloadPayload:
        ctx = info.context
        job = await downloads.revoke_download(ctx.principal, job_id, ctx.clock())
        return RevokeDownloadPayload(job=BackupJob.from_model(job))

    @strawberry.mutation(
        description="Flex clusters have no on-demand snapshots: the answer says why and "
        "what to do instead (upgrade to M10+). The request is audited.",
    )
    async def take_on_demand_snapshot(
        self, info: Info, project_id: strawberry.ID, cluster_name: str
    ) -> BackupPolicyRequestPayload:
        ctx = info.context
        cluster, refusal = await policies.request_on_demand_snapshot(
            ctx.principal, project_id, cluster_name, ctx.clock()
        )
        return BackupPolicyRequestPayload(
            cluster=Cluster.from_model(cluster), user_errors=[_user_error(refusal)]
        )

    @strawberry.mutation(
        description="Flex clusters have a fixed daily policy (8 kept): the answer says why "
        "and what to do instead (upgrade to M10+). The request is audited.",
    )
    async def update_backup_policy(
        self, info: Info, input: UpdateBackupPolicyInput
    ) -> BackupPolicyRequestPayload:
        ctx = info.context
        cluster, refusal = await policies.request_policy_change(
            ctx.principal, input.project_id, input.cluster_name, ctx.clock()
        )
        return BackupPolicyRequestPayload(
            cluster=Cluster.from_model(cluster), user_errors=[_user_error(refusal)]
        )

    @strawberry.mutation(
        description="Make someone (by default, you) a Project Owner. Allowed to Organization "
        "Owners for their organization's projects, and to Project Owners."
    )
    async def add_project_owner(
        self, info: Info, project_id: strawberry.ID, user_email: str | None = None
    ) -> AddProjectOwnerPayload:
        ctx = info.context
        project = await accounts.add_project_owner(
            ctx.principal, project_id, ctx.clock(), user_email
        )
        # Roles just changed: later fields of this request see the new ones.
        ctx.authenticated = await reload_principal(ctx.principal)
        return AddProjectOwnerPayload(project=Project.from_model(project))
