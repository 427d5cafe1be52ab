"""Clusters: what the control plane knows of each (nodes are the data plane's)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from graphql_api.domain.clusters import ClusterState, ClusterTier, ClusterType
from graphql_api.domain.regions import CloudProvider
from graphql_api.models.accounts import Project
from graphql_api.models.base import id_field


class Cluster(Model):
    id = id_field()
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="clusters", on_delete=fields.CASCADE
    )
    project_id: str
    name = fields.CharField(max_length=64)
    tier = fields.CharEnumField(ClusterTier, max_length=8)
    cluster_type = fields.CharEnumField(ClusterType, max_length=16, default=ClusterType.REPLICASET)
    cloud_provider = fields.CharEnumField(CloudProvider, max_length=8)
    region = fields.CharField(max_length=32)
    mongodb_version = fields.CharField(max_length=16)
    state = fields.CharEnumField(ClusterState, max_length=16, default=ClusterState.IDLE)
    backup_enabled = fields.BooleanField(default=True)
    termination_protection = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    # When the scheduler should next look at this cluster (indexed: one query finds due work).
    next_snapshot_at = fields.DatetimeField(null=True, db_index=True)
    # --- Lifecycle (issue 12). The name while the cluster is live, NULL once it is
    # deleted: unique per project, so a deleted cluster's name can be used again.
    live_name = fields.CharField(max_length=64, null=True)
    deleted_at = fields.DatetimeField(null=True)
    # Atlas ResourceTags: [{"key": ..., "value": ...}]
    tags: fields.Field[list[dict[str, str]] | None] = fields.JSONField(default=list, null=True)
    # The replica set's seed list, without credentials (FLEET=mongodb).
    connection_string = fields.TextField(null=True)
    # Username and password as one Fernet token (CREDENTIALS_KEY); never in clear.
    credentials = fields.TextField(null=True)
    # Once its schedule has ended (deleted, upgraded): when its next kept snapshot
    # expires; NULL when none is left (indexed: the tick finds due ones at once).
    next_expiry_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "clusters"
        unique_together = (("project", "live_name"),)
        ordering = ["name"]
