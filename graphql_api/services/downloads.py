"""Download jobs and the signed, expiring links that serve them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from graphql_api.domain.roles import Action
from graphql_api.models import BackupJob, DeliveryType, JobStatus, Snapshot, SnapshotStatus, User
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize
from graphql_api.services.errors import ServiceError
from graphql_api.services.jobs import create_job, find_job
from graphql_api.services.snapshots import find_snapshot
from graphql_api.settings import Settings


class SnapshotNotDownloadable(ServiceError):
    code = "SNAPSHOT_NOT_COMPLETED"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.download_signing_key(), salt="snapshot-download")


def download_url(job: BackupJob, base_url: str, settings: Settings) -> str:
    """The link names only the job, signed; no storage path is revealed."""
    return f"{base_url.rstrip('/')}/downloads/{_serializer(settings).dumps(job.id)}"


def visible_url(
    principal: Principal, job: BackupJob, base_url: str, settings: Settings, now: datetime
) -> str | None:
    """A download job's link as the caller may see it: only Project Owners of
    the snapshot's project (the link is the credential), and only while it
    works; None for anyone else, for a restore, once expired or revoked."""
    if job.delivery_type is not DeliveryType.DOWNLOAD or job.revoked_at:
        return None
    if not authorization.owns(principal, job.project_id):
        return None
    if job.expires_at is None or now >= job.expires_at:
        return None
    return download_url(job, base_url, settings)


async def request_download(
    principal: Principal, snapshot_id: str, settings: Settings, now: datetime
) -> BackupJob:
    """A download job whose signed link serves the snapshot's archive."""
    snapshot, project = await find_snapshot(principal, snapshot_id)
    missing = Scope(project, f"No snapshot {snapshot_id} in your projects.")
    async with authorize(
        principal, Action.DOWNLOAD_SNAPSHOT, missing, subject=snapshot_id, now=now
    ) as audit:
        assert snapshot is not None
        if snapshot.status is not SnapshotStatus.COMPLETED:
            raise SnapshotNotDownloadable(
                f"Snapshot {snapshot.id} is {snapshot.status.value}; only COMPLETED snapshots "
                "can be downloaded."
            )
        job = await create_job(
            DeliveryType.DOWNLOAD,
            JobStatus.COMPLETED,
            snapshot,
            principal,
            now,
            finished_at=now,
            progress_percent=100,
            expires_at=now + timedelta(seconds=settings.download_link_ttl_seconds),
        )
        audit.job_id = job.id
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
    if refused := await authorization.link_refusal(job, now):
        raise LinkError(410, refused)
    if job.revoked_at is not None:
        raise LinkError(410, "This download link was revoked.")
    snapshot = await Snapshot.get_or_none(id=job.snapshot_id)
    if snapshot is None or snapshot.storage_key is None:
        raise LinkError(410, "The snapshot was deleted by retention (the last 8 are kept).")
    return Download(job=job, snapshot=snapshot)


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
            await authorization.record_revoked_link(actor, job, reason, now)
    return len(jobs)


async def revoke_download(principal: Principal, job_id: str, now: datetime) -> BackupJob:
    """Stop a link before it expires; Project Owners of the snapshot's project only."""
    job, project = await find_job(principal, job_id, DeliveryType.DOWNLOAD)
    missing = Scope(project, f"No download job {job_id} in your projects.")
    async with authorize(
        principal, Action.REVOKE_DOWNLOAD, missing, subject=job_id, now=now
    ) as audit:
        assert job is not None
        audit.job_id = job.id
        if job.revoked_at is None:
            job.revoked_at = now
            await job.save(update_fields=["revoked_at"])
    return job
