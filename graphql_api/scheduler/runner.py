"""Running ticks on an interval until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from graphql_api.scheduler.tick import SnapshotScheduler

log = logging.getLogger(__name__)


async def run_periodically(
    scheduler: SnapshotScheduler, interval_seconds: float, stop: asyncio.Event
) -> None:
    """A failed tick is logged and the next one comes on time: work is never
    lost, because everything a tick does is recorded in the database."""
    while not stop.is_set():
        try:
            report = await scheduler.tick()
            if report.claimed or report.queued or report.pruned:
                log.info("tick: %s", report)
        except Exception:
            log.exception("scheduler tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
