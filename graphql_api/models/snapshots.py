"""Daily snapshots: one row per cluster per scheduled slot."""

from __future__ import annotations

import enum

from tortoise import fields
from tortoise.models import Model

from graphql_api.domain.locations import StorageLocation
from graphql_api.models.base import id_field
from graphql_api.models.clusters import Cluster


class SnapshotStatus(enum.StrEnum):
    """Atlas's Flex snapshot statuses."""

    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    COMPLETED = "COMPLETED"


class Snapshot(Model):
    id = id_field()
    cluster: fields.ForeignKeyRelation[Cluster] = fields.ForeignKeyField(
        "models.Cluster", related_name="snapshots", on_delete=fields.CASCADE
    )
    cluster_id: str
    # Denormalised from the cluster so "All Daily Snapshots" pages by index alone.
    project_id = fields.CharField(max_length=24, db_index=True)
    scheduled_time = fields.DatetimeField()
    status = fields.CharEnumField(SnapshotStatus, max_length=16, default=SnapshotStatus.QUEUED)
    start_time = fields.DatetimeField(null=True)
    finish_time = fields.DatetimeField(null=True)
    expiration = fields.DatetimeField(null=True)
    mongodb_version = fields.CharField(max_length=16)
    storage_location = fields.CharEnumField(StorageLocation, max_length=16)
    storage_key = fields.CharField(max_length=255, null=True)
    source_node = fields.CharField(max_length=255, null=True)
    size_bytes = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, null=True)
    failure_reason = fields.TextField(null=True)
    attempts = fields.IntField(default=0)
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "snapshots"
        # Exactly one snapshot per cluster per slot, enforced by the database.
        unique_together = (("cluster", "scheduled_time"),)
        # Claims read waiting rows off idx_snapshots_waiting, a partial index
        # (status QUEUED or RUNNING) made by migration 0006.
        indexes = (("project_id", "scheduled_time"),)
