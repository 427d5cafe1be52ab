from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from graphql_api import models
from graphql_api.domain.accounts import AccountRefusal
from graphql_api.domain.policy import PolicyRefusal
from graphql_api.domain.restores import RestoreRefusal
from graphql_api.schema.context import Info
from graphql_api.services.downloads import visible_url

strawberry.enum(models.JobStatus, name="JobStatus")
strawberry.enum(models.DeliveryType, name="DeliveryType")
strawberry.enum(models.AuditOutcome, name="AuditOutcome")


@strawberry.enum(description="Why a backup request was refused; stable across releases.")
class UserErrorCode(enum.Enum):
    SNAPSHOT_NOT_COMPLETED = RestoreRefusal.SNAPSHOT_NOT_COMPLETED.value
    TARGET_NOT_FOUND = RestoreRefusal.TARGET_NOT_FOUND.value
    TARGET_NOT_REPLICA_SET = RestoreRefusal.TARGET_NOT_REPLICA_SET.value
    INCOMPATIBLE_VERSION = RestoreRefusal.INCOMPATIBLE_VERSION.value
    CONFIRMATION_MISMATCH = RestoreRefusal.CONFIRMATION_MISMATCH.value
    RESTORE_IN_PROGRESS = RestoreRefusal.RESTORE_IN_PROGRESS.value
    ON_DEMAND_SNAPSHOT_NOT_SUPPORTED = PolicyRefusal.ON_DEMAND_SNAPSHOT_NOT_SUPPORTED.value
    CUSTOM_POLICY_NOT_SUPPORTED = PolicyRefusal.CUSTOM_POLICY_NOT_SUPPORTED.value
    # Accounts: organizations, projects, members (domain/accounts.py).
    PROJECT_NAME_TAKEN = AccountRefusal.PROJECT_NAME_TAKEN.value
    PROJECT_HAS_CLUSTERS = AccountRefusal.PROJECT_HAS_CLUSTERS.value
    LAST_PROJECT_OWNER = AccountRefusal.LAST_PROJECT_OWNER.value
    LAST_ORG_OWNER = AccountRefusal.LAST_ORG_OWNER.value
    ALREADY_MEMBER = AccountRefusal.ALREADY_MEMBER.value
    NOT_A_MEMBER = AccountRefusal.NOT_A_MEMBER.value


@strawberry.type(description="A business-rule refusal: what to fix, and in which field.")
class UserError:
    code: UserErrorCode
    message: str
    field: str | None


@strawberry.type(description="A restore or download of a snapshot (Atlas field names).")
class BackupJob:
    id: strawberry.ID
    delivery_type: models.DeliveryType
    status: models.JobStatus
    snapshot_id: strawberry.ID
    snapshot_finished_date: datetime | None
    restore_scheduled_date: datetime = strawberry.field(description="When it was requested.")
    restore_finished_date: datetime | None
    expiration_date: datetime | None = strawberry.field(description="Downloads: link expiry.")
    target_project_id: strawberry.ID | None
    target_deployment_item_name: str | None = strawberry.field(
        description="Restores: the target cluster's name."
    )
    progress_percent: int
    failure_reason: str | None
    cluster_id: strawberry.ID = strawberry.field(description="The snapshot's cluster.")
    _model: strawberry.Private[models.BackupJob]

    @classmethod
    def from_model(cls, j: models.BackupJob) -> BackupJob:
        return cls(
            id=strawberry.ID(j.id),
            delivery_type=j.delivery_type,
            status=j.status,
            snapshot_id=strawberry.ID(j.snapshot_id),
            snapshot_finished_date=j.snapshot_finished_at,
            restore_scheduled_date=j.created_at,
            restore_finished_date=j.finished_at,
            expiration_date=j.expires_at,
            target_project_id=strawberry.ID(j.target_project_id) if j.target_project_id else None,
            target_deployment_item_name=j.target_cluster_name,
            progress_percent=j.progress_percent,
            failure_reason=j.failure_reason,
            cluster_id=strawberry.ID(j.cluster_id),
            _model=j,
        )

    @strawberry.field(
        description="Downloads: the signed link, for Project Owners of the snapshot's project "
        "only (the link is the credential); null for anyone else, and once expired or revoked."
    )
    def snapshot_url(self, info: Info) -> str | None:
        context = info.context
        return visible_url(
            context.principal, self._model, context.base_url, context.settings, context.clock()
        )


@strawberry.type
class AuditEvent:
    id: strawberry.ID
    created_at: datetime
    actor_email: str
    action: str
    target: str
    outcome: models.AuditOutcome
    code: str | None
    detail: str
    job_id: strawberry.ID | None

    @classmethod
    def from_model(cls, e: models.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(e.id),
            created_at=e.created_at,
            actor_email=e.actor_email,
            action=e.action,
            target=e.target,
            outcome=e.outcome,
            code=e.code,
            detail=e.detail,
            job_id=strawberry.ID(e.job_id) if e.job_id else None,
        )
