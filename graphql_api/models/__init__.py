"""Tortoise ORM models: the persisted state of the control plane."""

from graphql_api.models.accounts import (
    ApiKey,
    Organization,
    OrgMembership,
    Project,
    ProjectMembership,
    User,
)
from graphql_api.models.clusters import Cluster
from graphql_api.models.jobs import (
    AuditEvent,
    AuditOutcome,
    BackupJob,
    DeliveryType,
    JobStatus,
)
from graphql_api.models.snapshots import Snapshot, SnapshotStatus

__models__ = [
    Organization,
    Project,
    User,
    ApiKey,
    OrgMembership,
    ProjectMembership,
    Cluster,
    Snapshot,
    BackupJob,
    AuditEvent,
]

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuditOutcome",
    "BackupJob",
    "Cluster",
    "DeliveryType",
    "JobStatus",
    "OrgMembership",
    "Organization",
    "Project",
    "ProjectMembership",
    "Snapshot",
    "SnapshotStatus",
    "User",
]
