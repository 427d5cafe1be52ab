"""Permission classes for backup management: the checks live in services."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from graphql_api.schema.context import Info
from graphql_api.services import jobs
from graphql_api.services.backup_access import (
    authorize_backup_management,
    authorize_cluster_backups,
)
from graphql_api.services.errors import NotFoundError

ACTIONS = {
    "downloadSnapshot": "DOWNLOAD_REQUESTED",
    "restoreSnapshot": "RESTORE_REQUESTED",
    "revokeDownload": "DOWNLOAD_REVOKED",
    "takeOnDemandSnapshot": "ON_DEMAND_SNAPSHOT_REQUESTED",
    "updateBackupPolicy": "BACKUP_POLICY_CHANGE_REQUESTED",
}


class IsProjectOwner(BasePermission):
    """Project Owner of the snapshot's project (or the named cluster's), and for
    a restore of the target's too.

    Refusals raise coded errors (NOT_FOUND when the caller cannot see the
    snapshot, FORBIDDEN with the reason otherwise) and are audited.
    """

    message = "Managing backups requires the Project Owner role."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        request = kwargs.get("input")
        action = ACTIONS.get(info.field_name, info.field_name)
        cluster_name = kwargs.get("cluster_name") or getattr(request, "cluster_name", None)
        if cluster_name is not None:
            project_id = kwargs.get("project_id") or getattr(request, "project_id", "")
            await authorize_cluster_backups(
                info.context.principal, action, str(project_id), str(cluster_name)
            )
            return True
        snapshot_id = kwargs.get("snapshot_id") or getattr(request, "snapshot_id", "")
        if "job_id" in kwargs:  # a job's snapshot decides
            job = await jobs.get_job(info.context.principal, str(kwargs["job_id"]))
            if job is None:
                raise NotFoundError(f"No job {kwargs['job_id']} in your projects.")
            snapshot_id = job.snapshot_id
        target_project_id = getattr(request, "target_project_id", None)
        await authorize_backup_management(
            info.context.principal,
            action,
            str(snapshot_id),
            None if target_project_id is None else str(target_project_id),
        )
        return True


class OwnsThisProject(BasePermission):
    """For fields of a Project only its Project Owners may read (the audit trail)."""

    message = "Only Project Owners may read this project's audit trail."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.can_manage_backups(source._model)
