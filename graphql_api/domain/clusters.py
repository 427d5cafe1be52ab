"""Cluster vocabulary: tiers, topology and lifecycle states (Atlas names)."""

from __future__ import annotations

import enum
import functools
import re
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


# --- Lifecycle (issue 12): names, tags, versions and sizes as Atlas shows them. ---

NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9-]*")
MAX_CLUSTER_NAME_LENGTH = 64
MAX_TAGS = 50
MAX_TAG_LENGTH = 255
VERSION_RELEASE_SYSTEM = "LTS"
DEFAULT_MONGODB_VERSION = "8.0.0"
# Storage each tier comes with, in GB (Flex: 5 GB; M10+: Atlas's default disk).
DISK_SIZE_GB = {
    ClusterTier.FLEX: 5.0,
    ClusterTier.M10: 10.0,
    ClusterTier.M20: 20.0,
    ClusterTier.M30: 40.0,
    ClusterTier.M40: 80.0,
    ClusterTier.M50: 160.0,
    ClusterTier.M60: 320.0,
    ClusterTier.M80: 750.0,
    ClusterTier.M140: 1000.0,
    ClusterTier.M200: 1500.0,
    ClusterTier.M300: 2000.0,
}


def cluster_name_problem(name: str) -> str | None:
    """Why Atlas would refuse this cluster name, or None."""
    if not 0 < len(name) <= MAX_CLUSTER_NAME_LENGTH or not NAME_PATTERN.fullmatch(name):
        return (
            f"Cluster names are 1 to {MAX_CLUSTER_NAME_LENGTH} characters: letters, digits and "
            "hyphens, starting with a letter or a digit (^[a-zA-Z0-9][a-zA-Z0-9-]*$)."
        )
    return None


@dataclass(frozen=True, slots=True)
class ResourceTag:
    key: str
    value: str


def tags_problem(tags: Iterable[ResourceTag]) -> str | None:
    """Why these tags cannot be stored, or None (Atlas ResourceTag: 1..255 characters)."""
    tags = list(tags)
    if len(tags) > MAX_TAGS:
        return f"A cluster has at most {MAX_TAGS} tags."
    for tag in tags:
        for what, text in (("key", tag.key), ("value", tag.value)):
            if not 0 < len(text) <= MAX_TAG_LENGTH or "\x00" in text:
                return f"A tag's {what} is 1 to {MAX_TAG_LENGTH} characters, none of them NUL."
    if len({t.key for t in tags}) != len(tags):
        return "Each tag key may appear once."
    return None


@functools.lru_cache(maxsize=1024)
def shown_version(stored: str) -> str:
    """A stored version as the APIs show it: X.Y.Z, or as stored when it is
    not a version (rows from before versions were checked). Cached: every
    row of a page shows one of a few versions."""
    try:
        return full_version(stored)
    except ValueError:
        return stored


def full_version(version: str) -> str:
    """A MongoDB version as Atlas shows it, X.Y.Z ("8.0" is "8.0.0")."""
    parts = version.strip().split(".")
    if not (2 <= len(parts) <= 3 and all(p.isascii() and p.isdigit() for p in parts)):
        raise ValueError(f"not a MongoDB version: {version!r}")
    return ".".join([*parts, "0"][:3])
