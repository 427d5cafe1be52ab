"""The backup policy a cluster has, derived from its tier and creation time."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.retention import RETAINED_SNAPSHOTS
from graphql_api.domain.schedule import first_slot, next_slot, snapshot_time_of_day

UPGRADE_HINT = "Upgrade to an M10 or larger cluster for finer-grained backups."
NO_CUSTOM_POLICY = (
    "Flex clusters have a fixed daily backup policy; custom backup policies are not "
    "supported. " + UPGRADE_HINT
)
NO_ON_DEMAND = "Flex clusters do not support on-demand snapshots. " + UPGRADE_HINT
NOT_FLEX = (
    "{name} is an {tier} cluster: its Cloud Backup snapshots and policies are managed by "
    "the dedicated-cluster backup service, not by this Flex backup service."
)


class PolicyRefusal(enum.StrEnum):
    ON_DEMAND_SNAPSHOT_NOT_SUPPORTED = "ON_DEMAND_SNAPSHOT_NOT_SUPPORTED"
    CUSTOM_POLICY_NOT_SUPPORTED = "CUSTOM_POLICY_NOT_SUPPORTED"


def on_demand_snapshot_refusal(name: str, tier: ClusterTier) -> str:
    """Why this service takes no on-demand snapshot of the cluster (it never does)."""
    return NOT_FLEX.format(name=name, tier=tier.value) if tier.is_dedicated else NO_ON_DEMAND


def custom_policy_refusal(name: str, tier: ClusterTier) -> str:
    """Why this service will not change the cluster's backup policy (it never does)."""
    return NOT_FLEX.format(name=name, tier=tier.value) if tier.is_dedicated else NO_CUSTOM_POLICY


@dataclass(frozen=True, slots=True)
class FlexBackupPolicy:
    enabled: bool
    frequency_hours: int
    time_of_day_utc: time
    retained_snapshots: int
    first_snapshot_time: datetime
    next_snapshot_time: datetime | None


def flex_backup_policy(
    tier: ClusterTier, created: datetime, backup_enabled: bool, now: datetime
) -> FlexBackupPolicy | None:
    """None for dedicated tiers: their Cloud Backup policies live elsewhere."""
    if tier.is_dedicated:
        return None
    return FlexBackupPolicy(
        enabled=backup_enabled,
        frequency_hours=24,
        time_of_day_utc=snapshot_time_of_day(created),
        retained_snapshots=RETAINED_SNAPSHOTS,
        first_snapshot_time=first_slot(created),
        next_snapshot_time=next_slot(created, now) if backup_enabled else None,
    )
