"""Who may manage a snapshot's backups: Project Owners only, of every project involved."""

from __future__ import annotations

from dataclasses import dataclass

from graphql_api.domain import roles
from graphql_api.models import AuditOutcome, Cluster, Project, Snapshot
from graphql_api.services import audit
from graphql_api.services.access import Principal
from graphql_api.services.clusters import get_cluster
from graphql_api.services.errors import ForbiddenError, NotFoundError, ServiceError
from graphql_api.services.projects import get_project, require_id


@dataclass(frozen=True, slots=True)
class Authorized:
    snapshot: Snapshot
    project: Project
    target_project: Project | None


async def _refused(
    principal: Principal, action: str, target: str, error: ServiceError, project_id: str | None
) -> ServiceError:
    await audit.record(
        principal.user, action, project_id=project_id, target=target,
        outcome=AuditOutcome.REFUSED, code=error.code, detail=error.message,
    )  # fmt: skip
    return error


async def authorize_backup_management(
    principal: Principal,
    action: str,
    snapshot_id: str,
    target_project_id: str | None = None,
) -> Authorized:
    """Raise NOT_FOUND for what the caller cannot see, FORBIDDEN for what they
    can see but not manage; refusals are audited."""

    async def refuse(error: ServiceError, project_id: str | None) -> ServiceError:
        return await _refused(principal, action, snapshot_id, error, project_id)

    require_id(snapshot_id, "Snapshot id")
    snapshot = await Snapshot.get_or_none(id=snapshot_id)
    project = None if snapshot is None else await get_project(principal, snapshot.project_id)
    if snapshot is None or project is None:
        raise await refuse(NotFoundError(f"No snapshot {snapshot_id} in your projects."), None)
    blocker = roles.manage_backups_refusal(*principal.roles_in(project))
    if blocker is not None:
        raise await refuse(ForbiddenError(blocker), project.id)
    target = None
    if target_project_id is not None:
        target = await get_project(principal, require_id(target_project_id, "Target project id"))
        if target is None:
            raise await refuse(
                NotFoundError(f"No project {target_project_id} among your projects."), project.id
            )
        blocker = roles.manage_backups_refusal(*principal.roles_in(target))
        if blocker is not None:
            raise await refuse(ForbiddenError(f"On the target project: {blocker}"), project.id)
    return Authorized(snapshot=snapshot, project=project, target_project=target)


async def authorize_cluster_backups(
    principal: Principal, action: str, project_id: str, cluster_name: str
) -> tuple[Project, Cluster]:
    """The same rule for calls that name a cluster rather than a snapshot."""
    project = await get_project(principal, project_id)
    cluster = None if project is None else await get_cluster(project, cluster_name)
    if project is None or cluster is None:
        error = NotFoundError(f"No cluster {cluster_name!r} in project {project_id}.")
        raise await _refused(principal, action, cluster_name, error, None)
    blocker = roles.manage_backups_refusal(*principal.roles_in(project))
    if blocker is not None:
        raise await _refused(principal, action, cluster.id, ForbiddenError(blocker), project.id)
    return project, cluster
