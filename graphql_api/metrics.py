"""Prometheus metrics, served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SNAPSHOTS_COMPLETED = Counter(
    "flex_snapshots_completed_total", "Snapshots completed.", ["storage_location"]
)
SNAPSHOTS_FAILED = Counter(
    "flex_snapshots_failed_total",
    "Snapshot attempts that failed; final=true when the slot was given up.",
    ["storage_location", "final"],
)
MISSED_SLOTS = Counter(
    "flex_snapshot_missed_slots_total",
    "Daily slots skipped because the scheduler did not run in time (not back-filled).",
    ["storage_location"],
)
SNAPSHOT_DURATION = Histogram(
    "flex_snapshot_duration_seconds",
    "Wall time to dump and store one snapshot.",
    ["storage_location"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 1800),
)
SNAPSHOT_SIZE = Histogram(
    "flex_snapshot_size_bytes",
    "Size of stored snapshot archives.",
    ["storage_location"],
    buckets=tuple(float(4**n) for n in range(5, 18)),
)
SNAPSHOTS_PRUNED = Counter(
    "flex_snapshots_pruned_total", "Snapshots deleted by retention.", ["storage_location"]
)
LAST_TICK = Gauge("flex_scheduler_last_tick_timestamp_seconds", "When the last tick started.")
LAST_SUCCESSFUL_TICK = Gauge(
    "flex_scheduler_last_successful_tick_timestamp_seconds", "When the last tick succeeded."
)
