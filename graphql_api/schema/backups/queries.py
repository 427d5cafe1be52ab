from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from graphql_api.models import JobStatus
from graphql_api.schema.backups.types import BackupJob
from graphql_api.schema.context import Info
from graphql_api.services import jobs
from graphql_api.services.errors import NotFoundError

TERMINAL = (JobStatus.COMPLETED, JobStatus.FAILED)


@strawberry.type
class BackupsQuery:
    @strawberry.field(description="A restore or download job; null if unknown or not yours.")
    async def backup_job(self, info: Info, id: strawberry.ID) -> BackupJob | None:
        found = await jobs.get_job(info.context.principal, id)
        return None if found is None else BackupJob.from_model(found)


@strawberry.type
class BackupsSubscription:
    @strawberry.subscription(
        description="A restore job's status and progress, on every change, until it ends."
    )
    async def restore_job_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[BackupJob, None]:
        principal, interval = info.context.principal, info.context.settings.progress_poll_seconds
        last: tuple[object, ...] | None = None
        while True:
            job = await jobs.get_job(principal, job_id)
            if job is None:
                raise NotFoundError(f"No job {job_id} in your projects.")
            state = (job.status, job.progress_percent, job.failure_reason)
            if state != last:
                last = state
                yield BackupJob.from_model(job)
            if job.status in TERMINAL:
                return
            await asyncio.sleep(interval)
