"""Tortoise ORM models: the persisted state of the control plane."""

from graphql_api.models.accounts import (
    ApiKey,
    Organization,
    OrgMembership,
    Project,
    ProjectMembership,
    User,
)
from graphql_api.models.clusters import Cluster, ClusterNode
from graphql_api.models.jobs import (
    AuditEvent,
    AuditOutcome,
    BackupJob,
    DeliveryType,
    JobStatus,
    SimulatedClusterData,
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
    ClusterNode,
    Snapshot,
    BackupJob,
    AuditEvent,
    SimulatedClusterData,
]

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuditOutcome",
    "BackupJob",
    "Cluster",
    "ClusterNode",
    "DeliveryType",
    "JobStatus",
    "OrgMembership",
    "Organization",
    "Project",
    "ProjectMembership",
    "SimulatedClusterData",
    "Snapshot",
    "SnapshotStatus",
    "User",
]
