"""The daily snapshot schedule of a Flex cluster.

Slot n (n >= 1) is due at ``created + n * 24h``: the first a day after
creation, then daily at the same UTC time of day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

SNAPSHOT_INTERVAL = timedelta(hours=24)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")


def first_slot(created: datetime) -> datetime:
    _require_aware(created, "created")
    return created + SNAPSHOT_INTERVAL


def snapshot_time_of_day(created: datetime) -> time:
    """The UTC time of day every snapshot of the cluster is scheduled at."""
    _require_aware(created, "created")
    return created.astimezone(UTC).timetz().replace(tzinfo=None)


def latest_due_slot(created: datetime, now: datetime) -> datetime | None:
    """The newest slot at or before ``now``; None while the cluster is under a day old."""
    _require_aware(now, "now")
    if now < first_slot(created):
        return None
    elapsed_slots = (now - created) // SNAPSHOT_INTERVAL
    return created + elapsed_slots * SNAPSHOT_INTERVAL


def next_slot(created: datetime, now: datetime) -> datetime:
    """The first slot strictly after ``now``."""
    latest = latest_due_slot(created, now)
    return first_slot(created) if latest is None else latest + SNAPSHOT_INTERVAL


@dataclass(frozen=True, slots=True)
class DueSlot:
    scheduled_time: datetime
    missed: int  # earlier slots skipped since the last one taken (not back-filled)


def due_slot(created: datetime, now: datetime, last_taken: datetime | None) -> DueSlot | None:
    """The slot to snapshot now, if any, and how many slots before it were missed.

    ``last_taken`` is the scheduled time of the cluster's newest snapshot
    (whatever its outcome). Only the latest due slot is taken: missed slots
    are counted, never back-filled with fake history.
    """
    latest = latest_due_slot(created, now)
    if latest is None or (last_taken is not None and last_taken >= latest):
        return None
    oldest_expected = first_slot(created) if last_taken is None else last_taken + SNAPSHOT_INTERVAL
    missed = max(0, (latest - oldest_expected) // SNAPSHOT_INTERVAL)
    return DueSlot(scheduled_time=latest, missed=missed)
