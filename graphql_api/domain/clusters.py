"""Cluster vocabulary: tiers, topology and lifecycle states (Atlas names)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ClusterTier(enum.StrEnum):
    FLEX = "FLEX"
    M10 = "M10"
    M20 = "M20"
    M30 = "M30"
    M40 = "M40"
    M50 = "M50"
    M60 = "M60"
    M80 = "M80"
    M140 = "M140"
    M200 = "M200"
    M300 = "M300"

    @property
    def is_dedicated(self) -> bool:
        """M10 and larger: the tiers with Cloud Backup and custom policies."""
        return self is not ClusterTier.FLEX


class ClusterType(enum.StrEnum):
    REPLICASET = "REPLICASET"
    SHARDED = "SHARDED"


class ClusterState(enum.StrEnum):
    IDLE = "IDLE"
    CREATING = "CREATING"
    UPDATING = "UPDATING"
    DELETING = "DELETING"
    REPAIRING = "REPAIRING"
    RESTORING = "RESTORING"


class NodeRole(enum.StrEnum):
    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"


@dataclass(frozen=True, slots=True)
class NodeHealth:
    hostname: str
    role: NodeRole
    healthy: bool
    replication_lag_ms: int


@dataclass(frozen=True, slots=True)
class ClusterNodes:
    """What the data plane knows of a cluster's nodes; ``unreachable`` says why
    it could not ask (then ``nodes`` is empty)."""

    nodes: tuple[NodeHealth, ...] = ()
    unreachable: str | None = None


def pick_snapshot_source(nodes: Iterable[NodeHealth]) -> NodeHealth | None:
    """The healthy secondary with the least replication lag; never the primary."""
    candidates = [n for n in nodes if n.role is NodeRole.SECONDARY and n.healthy]
    return min(candidates, key=lambda n: (n.replication_lag_ms, n.hostname), default=None)
