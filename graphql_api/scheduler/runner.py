"""Running ticks on an interval, and stopping without stranding work."""

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


async def stop(scheduler: SnapshotScheduler, task: asyncio.Task[None], grace: float) -> None:
    """Graceful shutdown: claim nothing new, let the work in hand finish for
    ``grace`` seconds, then cancel it and release its leases so another worker
    takes it over at once rather than after the lease runs out."""
    scheduler.stopping = True
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=grace)
        return
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    released = await scheduler.release_leases()
    log.warning("scheduler stopped mid-work after %ss; released %d leased rows", grace, released)


async def run_until(
    scheduler: SnapshotScheduler, interval_seconds: float, stop_event: asyncio.Event, grace: float
) -> None:
    """Tick until ``stop_event`` is set, then stop gracefully."""
    task = asyncio.create_task(run_periodically(scheduler, interval_seconds, stop_event))
    await stop_event.wait()
    await stop(scheduler, task, grace)
