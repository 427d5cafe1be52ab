"""When a failed snapshot attempt is tried again, and how its reason reads.

A slot is tried within its own day only: once ``scheduled_time + 24h`` has
passed, the next slot is due and a late copy of this one would be fake
history. A reason says the cause, then either that it will be retried or why
it was given up, never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from graphql_api.domain.schedule import SNAPSHOT_INTERVAL

WILL_RETRY = "Will retry while the slot's day lasts."
DAY_ENDED = (
    "Given up: the slot's day ended before a snapshot could be taken; the next daily "
    "snapshot takes its place."
)
NEVER_STARTED = "No attempt could start while the slot's day lasted (no scheduler was running)."
WORKER_STOPPED = "The worker taking it stopped mid-snapshot."


def day_is_open(scheduled_time: datetime, now: datetime) -> bool:
    """Whether an attempt at this slot may still start."""
    return now < scheduled_time + SNAPSHOT_INTERVAL


@dataclass(frozen=True, slots=True)
class AfterFailure:
    retry_at: datetime | None  # None: failed for good
    reason: str


def after_failure(
    cause: str,
    *,
    attempts: int,
    now: datetime,
    scheduled_time: datetime,
    max_attempts: int,
    retry_delay: timedelta,
) -> AfterFailure:
    """What follows a failed attempt: a retry within the day, or the end."""
    if attempts >= max_attempts:
        return AfterFailure(None, f"{cause} Given up after {attempts} attempt(s).")
    next_try = now + retry_delay
    if not day_is_open(scheduled_time, next_try):
        return AfterFailure(None, f"{cause} {DAY_ENDED}")
    return AfterFailure(next_try, f"{cause} {WILL_RETRY}")


def day_ended_reason(last_reason: str | None, *, attempts: int, was_running: bool) -> str:
    """The final reason of a slot whose day ended while it waited or ran."""
    if was_running:
        cause = WORKER_STOPPED
    elif last_reason:
        cause = last_reason.removesuffix(WILL_RETRY).strip()
    else:
        cause = NEVER_STARTED if attempts == 0 else WORKER_STOPPED
    return f"{cause} {DAY_ENDED}"
