"""Which snapshots a Flex cluster keeps: the last 8 completed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from graphql_api.domain.schedule import SNAPSHOT_INTERVAL

RETAINED_SNAPSHOTS = 8


def expiration(scheduled_time: datetime) -> datetime:
    """When a snapshot falls out, if every later daily snapshot succeeds."""
    return scheduled_time + RETAINED_SNAPSHOTS * SNAPSHOT_INTERVAL


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    id: str
    scheduled_time: datetime
    completed: bool
    finished: bool  # completed or failed for good; in-flight work is never pruned


def to_prune(snapshots: Sequence[SnapshotRef], keep: int = RETAINED_SNAPSHOTS) -> list[str]:
    """Ids to delete: completed ones beyond the newest ``keep``, and finished
    failures older than the oldest completed snapshot kept."""
    newest_first = sorted(snapshots, key=lambda s: s.scheduled_time, reverse=True)
    completed = [s for s in newest_first if s.completed]
    doomed = [s.id for s in completed[keep:]]
    if len(completed) >= keep:
        horizon = completed[keep - 1].scheduled_time
        doomed += [
            s.id
            for s in newest_first
            if s.finished and not s.completed and s.scheduled_time < horizon
        ]
    return doomed


RETENTION_PERIOD: timedelta = RETAINED_SNAPSHOTS * SNAPSHOT_INTERVAL
