"""Cluster vocabulary: tiers, topology and lifecycle states (Atlas names)."""

from __future__ import annotations

import enum


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
