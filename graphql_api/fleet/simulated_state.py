"""The simulated fleet's own tables: node health overrides and restored data.

They belong to the data plane; the control plane never reads them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from graphql_api.domain.clusters import NodeRole


# A simulated node whose health was changed (CLI, tests, demo); a cluster with
# no rows here has the default topology, all healthy.
class ClusterNode(Model):
    id = fields.IntField(primary_key=True)
    cluster: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Cluster", related_name="nodes", on_delete=fields.CASCADE
    )
    cluster_id: str
    hostname = fields.CharField(max_length=255)
    role = fields.CharEnumField(NodeRole, max_length=16)
    healthy = fields.BooleanField(default=True)
    replication_lag_ms = fields.IntField(default=0)

    class Meta:
        table = "cluster_nodes"
        unique_together = (("cluster", "hostname"),)
        ordering = ["hostname"]


class SimulatedClusterData(Model):
    """A simulated cluster's data after a restore: the archive it was restored from."""

    cluster_id = fields.CharField(max_length=24, primary_key=True)
    archive = fields.BinaryField()
    restored_from_snapshot_id = fields.CharField(max_length=24)
    restored_at = fields.DatetimeField()

    class Meta:
        table = "simulated_cluster_data"
