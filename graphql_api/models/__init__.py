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
]

__all__ = [
    "ApiKey",
    "Cluster",
    "ClusterNode",
    "OrgMembership",
    "Organization",
    "Project",
    "ProjectMembership",
    "Snapshot",
    "SnapshotStatus",
    "User",
]
