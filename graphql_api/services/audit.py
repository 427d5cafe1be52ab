"""The audit trail of backup-managing requests, allowed or refused."""

from __future__ import annotations

from datetime import UTC, datetime

from graphql_api.models import AuditEvent, AuditOutcome, User
from graphql_api.services.access import Principal
from graphql_api.services.errors import ForbiddenError
from graphql_api.services.paging import Listing, Order

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


def events_of_projects(principal: Principal, project_id: str) -> Listing[AuditEvent]:
    """Each project's audit trail, newest first: Project Owners read it."""
    if not principal.owns_project(project_id):
        raise ForbiddenError("Only Project Owners may read this project's audit trail.")
    return Listing(AuditEvent, NEWEST_FIRST, parents=("project_id",))
