"""Authorization: may this caller do this, here? And the audit trail of the answer.

Every use case makes one ``authorize`` call. It checks the caller's roles
for the action with ``domain.roles.refusal`` (the one rule, also behind the
cheap checks GraphQL fields make) and, when the use case ends, records the
outcome in the audit trail of each project involved: ALLOWED, or REFUSED
with the refusal's code. Nothing else writes audit events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import Q

from graphql_api.domain import roles
from graphql_api.domain.roles import Action, ProjectRole
from graphql_api.models import (
    ApiKey,
    ApiKeyPair,
    AuditEvent,
    AuditOutcome,
    BackupJob,
    Organization,
    Project,
    ProjectMembership,
    User,
)
from graphql_api.services.authentication import Principal
from graphql_api.services.errors import ForbiddenError, NotFoundError, ServiceError
from graphql_api.services.paging import AnyOf, Condition, In
from graphql_api.services.principal_cache import PRINCIPALS
from graphql_api.services.rows import RowBuilder, numbered


def readable(principal: Principal) -> Q:
    """The projects this caller may read, as a filter: theirs, and every
    project of the organizations they own; the CLI's operator, every project."""
    if principal.operator:
        return Q(id__isnull=False)
    return Q(id__in=list(principal.project_roles)) | Q(organization_id__in=principal.owned_org_ids)


def readable_through(principal: Principal, relation: str) -> Q:
    """The same rule on the project a row belongs to (``relation``: its foreign key)."""
    if principal.operator:
        everything: dict[str, Any] = {f"{relation}_id__isnull": False}
        return Q(**everything)
    theirs: dict[str, Any] = {f"{relation}_id__in": list(principal.project_roles)}
    owned: dict[str, Any] = {f"{relation}__organization_id__in": principal.owned_org_ids}
    return Q(**theirs) | Q(**owned)


def readable_sql(principal: Principal, project_id: str, organization_id: str) -> SqlCondition:
    """The same rule in SQL, on the columns holding a project's id and its
    organization's, for statements written by hand."""
    if principal.operator:
        return SqlCondition(f"{project_id} IS NOT NULL", ())
    theirs = tuple(principal.project_roles)
    owned = tuple(principal.owned_org_ids)
    parts = [
        SqlCondition.is_in(project_id, theirs),
        SqlCondition.is_in(organization_id, owned),
    ]
    return SqlCondition(
        "(" + " OR ".join(p.sql for p in parts) + ")", tuple(v for p in parts for v in p.values)
    )


@dataclass(frozen=True, slots=True)
class SqlCondition:
    """SQL text with ``{}`` where each of ``values`` goes (see ``numbered``)."""

    sql: str
    values: tuple[Any, ...]

    @classmethod
    def is_in(cls, column: str, values: tuple[Any, ...]) -> SqlCondition:
        if not values:
            return cls("1 = 0", ())
        return cls(f"{column} IN ({', '.join('{}' for _ in values)})", values)


def readable_condition(principal: Principal) -> Condition:
    """The same rule for a listing of projects."""
    return AnyOf(
        (
            In("id", tuple(sorted(principal.project_roles))),
            In("organization_id", tuple(principal.owned_org_ids)),
        )
    )


def can_read(principal: Principal, project: Project) -> bool:
    return roles.can_read_project(*principal.roles_in(project))


def refusal(principal: Principal, action: Action, project: Project) -> str | None:
    """Why the caller may not do ``action`` in ``project``, or None (no I/O)."""
    if principal.operator:
        return None
    return roles.refusal(action, *principal.roles_in(project))


def org_refusal(principal: Principal, action: Action, organization_id: str) -> str | None:
    """Why the caller may not do ``action`` in the organization, or None (no I/O)."""
    if principal.operator:
        return None
    return roles.refusal(action, principal.org_roles.get(organization_id, frozenset()), ())


def owns(principal: Principal, project_id: str) -> bool:
    """Project Owner of the project, by id alone (no I/O)."""
    return roles.can_manage_backups(principal.project_roles.get(project_id, frozenset()))


async def find_project(principal: Principal, project_id: str) -> Project | None:
    """The project, or None when it does not exist or the caller may not read it
    (both answer alike, so existence does not leak)."""
    readable = readable_sql(principal, "id", "organization_id")
    # Written by hand, as _readable_cluster is: a request's first lookup, made
    # on every project screen. Only placeholders are formatted in.
    sql = f"SELECT * FROM projects WHERE id = {{}} AND {readable.sql} LIMIT 1"  # noqa: S608
    db = connections.get("default")
    _, records = await db.execute_query(numbered(db, sql), [project_id, *readable.values])
    return RowBuilder.of(Project)(records[0]) if records else None


async def find_organization(principal: Principal, organization_id: str) -> Organization | None:
    """The organization, or None when it does not exist or the caller is not in it."""
    if not principal.operator and organization_id not in principal.organization_ids:
        return None
    return await Organization.get_or_none(id=organization_id)


@dataclass(frozen=True, slots=True)
class Scope:
    """A project an action touches: None when unknown or not readable."""

    project: Project | None
    missing: str  # the NOT_FOUND message when there is no such project for the caller
    prefix: str = ""  # before a refusal's reason, e.g. "On the target project: "


@dataclass(frozen=True, slots=True)
class OrgScope:
    """An organization an action touches: None when unknown or not the caller's.
    Its events have no project (the organization's id is in their target)."""

    organization: Organization | None
    missing: str


@dataclass
class Audit:
    """How the use case ended, recorded when it does."""

    principal: Principal
    action: Action
    subject: str
    now: datetime
    project_ids: list[str | None] = field(default_factory=list)
    outcome: AuditOutcome = AuditOutcome.ALLOWED
    code: str | None = None
    detail: str = ""
    job_id: str | None = None

    def refused(self, code: str, detail: str) -> None:
        """A refusal answered as data (the use case returns normally)."""
        self.outcome, self.code, self.detail = AuditOutcome.REFUSED, code, detail

    async def record(self) -> None:
        for project_id in dict.fromkeys(self.project_ids or [None]):
            await _store(
                self.principal.user, self.action, project_id=project_id, target=self.subject,
                outcome=self.outcome, code=self.code, detail=self.detail, job_id=self.job_id,
                now=self.now,
            )  # fmt: skip


@asynccontextmanager
async def authorize(
    principal: Principal, action: Action, *scopes: Scope | OrgScope, subject: str, now: datetime
) -> AsyncIterator[Audit]:
    """Check the caller may do ``action`` in every scope, then let the use case
    run; record the outcome either way. A refusal raises NotFoundError (for
    what the caller cannot see) or ForbiddenError (with the reason), audited
    in the first project; a ServiceError raised inside is audited as REFUSED."""
    trail = Audit(principal, action, subject, now)
    for scope in scopes:
        if isinstance(scope, OrgScope):
            if scope.organization is None:
                raise await _refuse(trail, NotFoundError(scope.missing))
            if reason := org_refusal(principal, action, scope.organization.id):
                raise await _refuse(trail, ForbiddenError(reason))
            continue
        if scope.project is None:
            raise await _refuse(trail, NotFoundError(scope.missing))
        reason = refusal(principal, action, scope.project)
        if reason is not None:
            trail.project_ids = trail.project_ids or [scope.project.id]
            raise await _refuse(trail, ForbiddenError(scope.prefix + reason))
        trail.project_ids.append(scope.project.id)
    try:
        yield trail
    except ServiceError as error:
        raise await _refuse(trail, error) from None
    await trail.record()
    if action not in _READS:
        # It may have changed someone's key or roles: this process's next
        # request reads callers afresh (others hear it from PostgreSQL).
        PRINCIPALS.changed()


# Actions that only read: nothing a caller is made of changes.
_READS = frozenset({Action.READ_AUDIT_TRAIL, Action.LIST_API_KEYS, Action.LIST_API_KEY_PAIRS})


async def _refuse(trail: Audit, error: ServiceError) -> ServiceError:
    trail.refused(error.code, error.message)
    await trail.record()
    return error


async def link_refusal(job: BackupJob, now: datetime) -> str | None:
    """Why a download link no longer works for its requester, or None. A link
    is its requester's credential: it lasts while they are Project Owner of
    the project and the API key it was requested with is not revoked. Checked
    at every download, whatever took the rights away; a refusal is audited."""
    reason = None
    key_id = job.requested_by_key_id
    if key_id is not None and not (
        await ApiKey.exists(id=key_id, revoked_at=None)
        or await ApiKeyPair.exists(id=key_id, revoked_at=None)
    ):
        reason = "This download link stopped working: the API key that requested it was revoked."
    elif not await ProjectMembership.exists(
        user_id=job.requested_by_id, project_id=job.project_id, role=ProjectRole.PROJECT_OWNER
    ):
        reason = (
            "This download link stopped working: the person who requested it is no longer "
            "Project Owner of the project."
        )
    if reason is not None:
        requester = await User.get_or_none(id=job.requested_by_id)
        await _store(
            requester or User(id=job.requested_by_id, email="(deleted user)"),
            Action.USE_DOWNLOAD_LINK, project_id=job.project_id, target=job.snapshot_id,
            outcome=AuditOutcome.REFUSED, code="REQUESTER_LOST_ACCESS", detail=reason,
            job_id=job.id, now=now,
        )  # fmt: skip
    return reason


async def record_revoked_link(actor: User, job: BackupJob, reason: str, now: datetime) -> None:
    """A link stopped as a consequence (its key was revoked), in its project's trail."""
    await _store(
        actor, Action.REVOKE_DOWNLOAD, project_id=job.project_id, target=job.snapshot_id,
        outcome=AuditOutcome.ALLOWED, detail=reason, job_id=job.id, now=now,
    )  # fmt: skip


async def _store(
    actor: User,
    action: Action,
    *,
    project_id: str | None,
    target: str,
    outcome: AuditOutcome,
    now: datetime,
    code: str | None = None,
    detail: str = "",
    job_id: str | None = None,
) -> None:
    await AuditEvent.create(
        created_at=now,
        actor_id=actor.id,
        actor_email=actor.email,
        action=action.value,
        project_id=project_id,
        target=_storable(target)[:255],
        outcome=outcome,
        code=code,
        detail=_storable(detail),
        job_id=job_id,
    )


def _storable(text: str) -> str:
    """Client-given text as a database can store it: NUL bytes and half
    characters (lone surrogates) shown escaped."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
