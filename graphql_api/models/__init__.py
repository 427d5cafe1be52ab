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
from graphql_api.models.key_pairs import ApiKeyPair, DigestNonceUse
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
    ApiKeyPair,
    DigestNonceUse,
]

__all__ = [
    "ApiKey",
    "ApiKeyPair",
    "AuditEvent",
    "AuditOutcome",
    "BackupJob",
    "Cluster",
    "DeliveryType",
    "DigestNonceUse",
    "JobStatus",
    "OrgMembership",
    "Organization",
    "Project",
    "ProjectMembership",
    "Snapshot",
    "SnapshotStatus",
    "User",
]
