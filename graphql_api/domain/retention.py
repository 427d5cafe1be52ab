"""Which snapshots a Flex cluster keeps: the last 8 completed.

Once a cluster's daily schedule has ended (the cluster was deleted or upgraded
to M10+), no later slot will push its snapshots out: each completed one is
then kept until the expiration it showed when the schedule ended, and no
longer (``to_prune_ended``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphql_api.domain.schedule import SNAPSHOT_INTERVAL

RETAINED_SNAPSHOTS = 8


def expiration(scheduled_time: datetime) -> datetime:
    """The newest snapshot's expiration: it falls out once 8 newer ones complete."""
    return scheduled_time + RETAINED_SNAPSHOTS * SNAPSHOT_INTERVAL


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    id: str
    scheduled_time: datetime
    completed: bool
    finished: bool  # completed or failed for good; in-flight work is never pruned
    next_attempt: datetime | None = None  # in flight: when it is tried next, if known
    expiration: datetime | None = None  # as last shown (what an ended schedule keeps to)


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


def expirations(
    snapshots: Sequence[SnapshotRef], keep: int = RETAINED_SNAPSHOTS
) -> dict[str, datetime]:
    """When each completed snapshot falls out of the last ``keep`` completed,
    if every later daily slot succeeds.

    A snapshot with ``c`` newer completed ones falls out at the ``keep - c``-th
    success after it: first the slots in flight (at their next attempt), then
    the future daily slots after the cluster's newest. A slot that fails for
    good does not count, so it moves every kept snapshot's expiration a day.
    """
    if not snapshots:
        return {}
    newest_first = sorted(snapshots, key=lambda s: s.scheduled_time, reverse=True)
    newest = newest_first[0].scheduled_time
    found: dict[str, datetime] = {}
    completed_newer = 0
    in_flight: list[datetime] = []  # next attempts of the newer slots in flight
    for ref in newest_first:
        if ref.completed:
            needed = max(keep - completed_newer, 1)
            upcoming = sorted(in_flight)
            if needed <= len(upcoming):
                found[ref.id] = upcoming[needed - 1]
            else:
                found[ref.id] = newest + (needed - len(upcoming)) * SNAPSHOT_INTERVAL
            completed_newer += 1
        elif not ref.finished:
            in_flight.append(max(ref.scheduled_time, ref.next_attempt or ref.scheduled_time))
    return found


def to_prune_ended(snapshots: Sequence[SnapshotRef], now: datetime) -> list[str]:
    """Ids to delete once the cluster's schedule has ended: completed ones whose
    expiration has come, and failures older than the oldest completed one left
    (all of them once none is left). In-flight work is never pruned here."""
    completed = [s for s in snapshots if s.completed]
    expired = {s.id for s in completed if s.expiration is not None and s.expiration <= now}
    kept = [s.scheduled_time for s in completed if s.id not in expired]
    horizon = min(kept, default=None)
    failed = [
        s.id
        for s in snapshots
        if s.finished and not s.completed and (horizon is None or s.scheduled_time < horizon)
    ]
    return sorted(expired) + failed


def next_ended_expiry(snapshots: Sequence[SnapshotRef], now: datetime) -> datetime | None:
    """When ``to_prune_ended`` next has work for an ended schedule: the earliest
    expiration of a completed snapshot left; ``now`` when only failures are
    left; None when nothing is."""
    if not snapshots:
        return None
    expirations = [s.expiration for s in snapshots if s.completed and s.expiration is not None]
    return min(expirations, default=now)
