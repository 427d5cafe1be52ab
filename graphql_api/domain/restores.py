"""Whether a snapshot may be restored onto a target cluster."""

from __future__ import annotations

import enum

from graphql_api.domain.clusters import ClusterType
from graphql_api.domain.refusals import Refusal


class RestoreRefusal(enum.StrEnum):
    SNAPSHOT_NOT_COMPLETED = "SNAPSHOT_NOT_COMPLETED"
    TARGET_NOT_FOUND = "TARGET_NOT_FOUND"
    TARGET_NOT_REPLICA_SET = "TARGET_NOT_REPLICA_SET"
    INCOMPATIBLE_VERSION = "INCOMPATIBLE_VERSION"
    CONFIRMATION_MISMATCH = "CONFIRMATION_MISMATCH"
    RESTORE_IN_PROGRESS = "RESTORE_IN_PROGRESS"


def parse_version(version: str) -> tuple[int, int]:
    major, _, rest = version.strip().partition(".")
    minor = rest.partition(".")[0] or "0"
    if not (major.isdigit() and minor.isdigit()):
        raise ValueError(f"not a MongoDB version: {version!r}")
    return int(major), int(minor)


def can_read_snapshot(target_version: str, snapshot_version: str) -> bool:
    """A server reads data files of its own release series or the one before."""
    target, source = parse_version(target_version), parse_version(snapshot_version)
    return target >= source and target[0] - source[0] <= 1


def check_restore(
    *,
    target_type: ClusterType,
    target_name: str,
    target_version: str,
    snapshot_version: str,
    confirmation: str,
) -> list[Refusal]:
    """Every rule the target breaks, so a caller can fix them all at once."""
    refusals = []
    if target_type is not ClusterType.REPLICASET:
        refusals.append(
            Refusal(
                RestoreRefusal.TARGET_NOT_REPLICA_SET,
                f"Cluster {target_name!r} is sharded: snapshots restore to replica sets only.",
                "targetClusterName",
            )
        )
    if not can_read_snapshot(target_version, snapshot_version):
        refusals.append(
            Refusal(
                RestoreRefusal.INCOMPATIBLE_VERSION,
                f"Cluster {target_name!r} runs MongoDB {target_version}, which cannot read a "
                f"snapshot of MongoDB {snapshot_version}: the target must run the same release "
                "series or the next one.",
                "targetClusterName",
            )
        )
    if confirmation != target_name:
        refusals.append(
            Refusal(
                RestoreRefusal.CONFIRMATION_MISMATCH,
                f"A restore overwrites all data in {target_name!r}: type that cluster's name "
                "exactly in confirmTargetClusterName to confirm.",
                "confirmTargetClusterName",
            )
        )
    return refusals
