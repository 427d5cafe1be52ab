"""When a failed snapshot attempt is tried again, and when it is given up."""

from __future__ import annotations

from datetime import datetime, timedelta

from graphql_api.domain.schedule import SNAPSHOT_INTERVAL


def retry_at(
    *,
    attempts: int,
    now: datetime,
    scheduled_time: datetime,
    max_attempts: int,
    retry_delay: timedelta,
) -> datetime | None:
    """The next try, or None to fail for good.

    A slot is retried within its own day only: past ``scheduled_time + 24h``
    the next slot is due and a late copy of this one would be fake history.
    """
    if attempts >= max_attempts:
        return None
    next_try = now + retry_delay
    return next_try if next_try < scheduled_time + SNAPSHOT_INTERVAL else None
