"""The audit trail of backup-managing requests, allowed or refused."""

from __future__ import annotations

from datetime import UTC, datetime

from graphql_api.models import AuditEvent, AuditOutcome, User
from graphql_api.services.pagination import Order, Page, PageRequest, paginate_query

NEWEST_FIRST = Order(("-created_at", "-id"))


async def record(
    actor: User,
    action: str,
    *,
    project_id: str | None,
    target: str,
    outcome: AuditOutcome,
    code: str | None = None,
    detail: str = "",
    job_id: str | None = None,
) -> None:
    await AuditEvent.create(
        created_at=datetime.now(UTC),
        actor_id=actor.id,
        actor_email=actor.email,
        action=action,
        project_id=project_id,
        target=_storable(target)[:255],
        outcome=outcome,
        code=code,
        detail=_storable(detail),
        job_id=job_id,
    )


def _storable(text: str) -> str:
    """Client-given text as PostgreSQL can store it: NUL bytes shown escaped."""
    return text.replace("\x00", "\\x00")


async def list_events(project_id: str, page: PageRequest) -> Page[AuditEvent]:
    return await paginate_query(AuditEvent.filter(project_id=project_id), NEWEST_FIRST, page)
