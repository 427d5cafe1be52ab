"""Restore and download jobs (Atlas: Flex restore jobs, by delivery type)."""

from __future__ import annotations

import enum

from tortoise import fields
from tortoise.models import Model

from graphql_api.models.base import id_field


class JobStatus(enum.StrEnum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    COMPLETED = "COMPLETED"


class DeliveryType(enum.StrEnum):
    RESTORE = "RESTORE"
    DOWNLOAD = "DOWNLOAD"


class BackupJob(Model):
    id = id_field()
    delivery_type = fields.CharEnumField(DeliveryType, max_length=16)
    status = fields.CharEnumField(JobStatus, max_length=16)
    # The snapshot's project and cluster; plain ids, so the job outlives retention.
    project_id = fields.CharField(max_length=24, db_index=True)
    cluster_id = fields.CharField(max_length=24, db_index=True)
    snapshot_id = fields.CharField(max_length=24, db_index=True)
    snapshot_finished_at = fields.DatetimeField(null=True)
    requested_by_id = fields.CharField(max_length=24)
    # The API key it was requested with: a download link dies with that key.
    requested_by_key_id = fields.CharField(max_length=24, null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)  # downloads: when the link stops working
    revoked_at = fields.DatetimeField(null=True)
    target_project_id = fields.CharField(max_length=24, null=True, db_index=True)
    target_cluster_id = fields.CharField(max_length=24, null=True, db_index=True)
    target_cluster_name = fields.CharField(max_length=64, null=True)
    # Set while a restore is queued or running: one restore at a time per target.
    active_target_cluster_id = fields.CharField(max_length=24, null=True, unique=True)
    progress_percent = fields.IntField(default=0)
    finished_at = fields.DatetimeField(null=True)
    failure_reason = fields.TextField(null=True)
    attempts = fields.IntField(default=0)
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "backup_jobs"
        indexes = (("status", "lease_expires_at"),)


class AuditOutcome(enum.StrEnum):
    ALLOWED = "ALLOWED"
    REFUSED = "REFUSED"


class AuditEvent(Model):
    """Every backup-managing request, allowed or refused: who, what, when, outcome."""

    id = id_field()
    created_at = fields.DatetimeField()
    actor_id = fields.CharField(max_length=24, db_index=True)
    actor_email = fields.CharField(max_length=254)
    action = fields.CharField(max_length=32)
    project_id = fields.CharField(max_length=24, null=True, db_index=True)
    target = fields.CharField(max_length=255)
    outcome = fields.CharEnumField(AuditOutcome, max_length=16)
    code = fields.CharField(max_length=48, null=True)
    detail = fields.TextField(default="")
    job_id = fields.CharField(max_length=24, null=True)

    class Meta:
        table = "audit_events"
