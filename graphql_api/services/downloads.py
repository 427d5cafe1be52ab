"""Download jobs and the signed, expiring links that serve them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from graphql_api.domain.roles import ProjectRole
from graphql_api.models import (
    ApiKey,
    AuditOutcome,
    BackupJob,
    DeliveryType,
    JobStatus,
    ProjectMembership,
    Snapshot,
    SnapshotStatus,
    User,
)
from graphql_api.services import audit
from graphql_api.services.access import Principal
from graphql_api.services.backup_access import authorize_backup_management
from graphql_api.services.errors import NotFoundError, ServiceError
from graphql_api.services.jobs import get_job
from graphql_api.settings import Settings

ACTION = "DOWNLOAD_REQUESTED"
REVOKED = "DOWNLOAD_REVOKED"
LINK_REFUSED = "DOWNLOAD_LINK_REFUSED"


class SnapshotNotDownloadable(ServiceError):
    code = "SNAPSHOT_NOT_COMPLETED"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.download_signing_key(), salt="snapshot-download")


def download_url(job: BackupJob, base_url: str, settings: Settings) -> str:
    """The link names only the job, signed; no storage path is revealed."""
    return f"{base_url.rstrip('/')}/downloads/{_serializer(settings).dumps(job.id)}"


async def request_download(
    principal: Principal, snapshot_id: str, settings: Settings, now: datetime
) -> BackupJob:
    allowed = await authorize_backup_management(principal, ACTION, snapshot_id)
    snapshot = allowed.snapshot
    if snapshot.status is not SnapshotStatus.COMPLETED:
        error = SnapshotNotDownloadable(
            f"Snapshot {snapshot.id} is {snapshot.status.value}; only COMPLETED snapshots "
            "can be downloaded."
        )
        await audit.record(
            principal.user, ACTION, project_id=snapshot.project_id, target=snapshot.id,
            outcome=AuditOutcome.REFUSED, code=error.code, detail=error.message,
        )  # fmt: skip
        raise error
    job = await BackupJob.create(
        delivery_type=DeliveryType.DOWNLOAD,
        status=JobStatus.COMPLETED,
        project_id=snapshot.project_id,
        cluster_id=snapshot.cluster_id,
        snapshot_id=snapshot.id,
        snapshot_finished_at=snapshot.finish_time,
        requested_by_id=principal.user.id,
        requested_by_key_id=principal.api_key_id,
        created_at=now,
        finished_at=now,
        progress_percent=100,
        expires_at=now + timedelta(seconds=settings.download_link_ttl_seconds),
    )
    await audit.record(
        principal.user, ACTION, project_id=snapshot.project_id, target=snapshot.id,
        outcome=AuditOutcome.ALLOWED, job_id=job.id,
    )  # fmt: skip
    return job


class LinkError(Exception):
    """Why a download link does not serve: ``status`` is 403 or 410."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Download:
    job: BackupJob
    snapshot: Snapshot


async def resolve_link(token: str, settings: Settings, now: datetime) -> Download:
    """The job and snapshot a link serves, or LinkError (403 tampered, 410 gone).

    The link is its requester's credential, so it works only while they still
    hold what it was issued on: the Project Owner role and the API key. That
    is checked here, at every download, whatever revoked them."""
    try:
        job_id = _serializer(settings).loads(token)
    except BadSignature:
        raise LinkError(403, "This download link is invalid.") from None
    job = await BackupJob.get_or_none(id=job_id, delivery_type=DeliveryType.DOWNLOAD)
    if job is None:
        raise LinkError(410, "This download link no longer exists.")
    if job.expires_at is None or now >= job.expires_at:
        raise LinkError(410, "This download link has expired; request a new download.")
    if lost := await _requester_lost(job):
        requester = await User.get_or_none(id=job.requested_by_id)
        await audit.record(
            requester or User(id=job.requested_by_id, email="(deleted user)"),
            LINK_REFUSED, project_id=job.project_id, target=job.snapshot_id,
            outcome=AuditOutcome.REFUSED, code="REQUESTER_LOST_ACCESS", detail=lost,
            job_id=job.id,
        )  # fmt: skip
        raise LinkError(410, lost)
    if job.revoked_at is not None:
        raise LinkError(410, "This download link was revoked.")
    snapshot = await Snapshot.get_or_none(id=job.snapshot_id)
    if snapshot is None or snapshot.storage_key is None:
        raise LinkError(410, "The snapshot was deleted by retention (the last 8 are kept).")
    return Download(job=job, snapshot=snapshot)


async def _requester_lost(job: BackupJob) -> str | None:
    """Why the link's requester no longer vouches for it, or None."""
    if job.requested_by_key_id is not None and not await ApiKey.exists(
        id=job.requested_by_key_id, revoked_at=None
    ):
        return "This download link stopped working: the API key that requested it was revoked."
    if not await ProjectMembership.exists(
        user_id=job.requested_by_id, project_id=job.project_id, role=ProjectRole.PROJECT_OWNER
    ):
        return (
            "This download link stopped working: the person who requested it is no longer "
            "Project Owner of the project."
        )
    return None


async def revoke_links(
    actor: User,
    now: datetime,
    reason: str,
    *,
    key_ids: list[str] | None = None,
    requested_by: User | None = None,
    project_id: str | None = None,
) -> int:
    """Stop the live links requested with these keys (or by this person in this
    project), each audited with the reason."""
    query = BackupJob.filter(
        delivery_type=DeliveryType.DOWNLOAD, revoked_at=None, expires_at__gt=now
    )
    if key_ids is not None:
        query = query.filter(requested_by_key_id__in=key_ids)
    if requested_by is not None:
        query = query.filter(requested_by_id=requested_by.id)
    if project_id is not None:
        query = query.filter(project_id=project_id)
    jobs = list(await query)
    for job in jobs:
        if await BackupJob.filter(id=job.id, revoked_at=None).update(revoked_at=now):
            await audit.record(
                actor, REVOKED, project_id=job.project_id, target=job.snapshot_id,
                outcome=AuditOutcome.ALLOWED, detail=reason, job_id=job.id,
            )  # fmt: skip
    return len(jobs)


async def revoke_download(principal: Principal, job_id: str, now: datetime) -> BackupJob:
    """Stop a link before it expires; Project Owners of the snapshot's project only."""
    job = await get_job(principal, job_id)
    if job is None or job.delivery_type is not DeliveryType.DOWNLOAD:
        raise NotFoundError(f"No download job {job_id} in your projects.")
    await authorize_backup_management(principal, "DOWNLOAD_REVOKED", job.snapshot_id)
    if job.revoked_at is None:
        job.revoked_at = now
        await job.save(update_fields=["revoked_at"])
    await audit.record(
        principal.user, "DOWNLOAD_REVOKED", project_id=job.project_id, target=job.snapshot_id,
        outcome=AuditOutcome.ALLOWED, job_id=job.id,
    )  # fmt: skip
    return job
