"""One scheduler tick: queue due slots, run them, prune, recover."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graphql_api import metrics
from graphql_api.clock import FixedClock, utc_now
from graphql_api.fleet.base import Fleet
from graphql_api.models import Cluster, JobStatus, Snapshot, SnapshotStatus
from graphql_api.services import cluster_lifecycle, daily_snapshots, restores
from graphql_api.services.clusters import address_of
from graphql_api.services.leases import RetryPolicy
from graphql_api.settings import Settings
from graphql_api.storage import Stores

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class TickReport:
    queued: int = 0
    missed_slots: int = 0
    claimed: int = 0
    completed: int = 0
    retrying: int = 0
    failed: int = 0
    abandoned: int = 0  # given up: their day ended, or their workers kept dying
    swept: int = 0  # stale temporary objects removed from the stores
    pruned: int = 0  # by retention, and at their expiration for ended schedules
    settled: int = 0  # CREATING clusters the data plane reports up, now IDLE
    restores_completed: int = 0
    restores_failed: int = 0
    errors: list[str] = field(default_factory=list)


class SnapshotScheduler:
    def __init__(
        self,
        fleet: Fleet,
        stores: Stores,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        worker_id: str | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.fleet = fleet
        self.stores = stores
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.stopping = False
        # Rows a tick reads, locks or claims at once: its memory, whatever the fleet's size.
        self.batch_size = batch_size or settings.snapshot_batch_size
        self._swept_at: datetime | None = None
        # Lease tokens of the batches in hand, each with how to give it back.
        self._held: dict[str, Callable[[str], Awaitable[int]]] = {}
        self.concurrency = settings.snapshot_concurrency
        self.policy = RetryPolicy(
            lease=timedelta(seconds=settings.snapshot_lease_seconds),
            max_attempts=settings.snapshot_max_attempts,
            retry_delay=timedelta(seconds=settings.snapshot_retry_delay_seconds),
        )

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One pass. An explicit ``now`` (tests, replays) also stands for the
        clock inside the tick, so a tick's times all agree."""
        if now is None:
            clock, now = self.clock, self.clock()
        else:
            clock = FixedClock(now)
        metrics.LAST_TICK.set(now.timestamp())
        report = TickReport()
        batch = self.batch_size
        report.queued, report.missed_slots = await daily_snapshots.schedule_due_snapshots(
            now, batch
        )
        report.swept = await self._sweep(now)
        report.abandoned, report.pruned = await daily_snapshots.give_up(
            now, self.policy, self.stores, batch
        )
        while not self.stopping and (
            claimed := await daily_snapshots.claim_snapshots(
                now, self.worker_id, self.policy, batch
            )
        ):
            report.claimed += len(claimed)
            with self._holding(claimed[0].lease_owner, daily_snapshots.release_snapshots):
                await self._run(claimed, report, clock)
            report.pruned += await daily_snapshots.apply_retention(
                {s.cluster_id for s in claimed}, self.stores
            )
        report.pruned += await daily_snapshots.prune_ended(now, self.stores)
        report.settled = await cluster_lifecycle.settle_creating(self.fleet, batch)
        while not self.stopping and (
            jobs := await restores.claim_restores(now, self.worker_id, self.policy)
        ):
            with self._holding(jobs[0].lease_owner, restores.release_restores):
                for job in jobs:
                    done = await restores.run_restore(
                        job, self.fleet, self.stores, self.policy, clock
                    )
                    report.restores_completed += done.status is JobStatus.COMPLETED
                    report.restores_failed += done.status is JobStatus.FAILED
        metrics.LAST_SUCCESSFUL_TICK.set(now.timestamp())
        return report

    async def _sweep(self, now: datetime) -> int:
        """Temporary objects older than a lease were left by a killed writer.
        Once a lease: a local store's sweep walks its whole tree, which at a
        million clusters is millions of files, too many to walk every minute."""
        if self._swept_at is not None and timedelta(0) <= now - self._swept_at < self.policy.lease:
            return 0
        self._swept_at = now
        swept = 0
        for store in self.stores.values():
            try:
                swept += await store.sweep(self.policy.lease)
            except Exception:  # a store down for a moment must not stop snapshots
                log.exception("sweeping %s failed", store.name)
        return swept

    @contextlib.contextmanager
    def _holding(
        self, token: str | None, release: Callable[[str], Awaitable[int]]
    ) -> Iterator[None]:
        """Remember a batch's lease until it is done. Not on the way out of a
        cancellation: that is when release_leases needs it."""
        if token:
            self._held[token] = release
        yield
        self._held.pop(token or "", None)

    async def release_leases(self) -> int:
        """Give back the work of a tick that was cut short (see runner.stop)."""
        released = 0
        for token, release in list(self._held.items()):
            released += await release(token)
            del self._held[token]
        return released

    async def _run(
        self, batch: list[Snapshot], report: TickReport, clock: Callable[[], datetime]
    ) -> None:
        clusters = {
            c.id: address_of(c)
            for c in await Cluster.filter(id__in=list({s.cluster_id for s in batch}))
        }
        nodes = await self.fleet.nodes(list(clusters.values()))
        gate = asyncio.Semaphore(self.concurrency)

        async def one(snapshot: Snapshot) -> Snapshot:
            async with gate:
                return await daily_snapshots.take_snapshot(
                    snapshot,
                    clusters[snapshot.cluster_id],
                    nodes[snapshot.cluster_id],
                    self.fleet,
                    self.stores,
                    self.policy,
                    clock,
                )

        results = await asyncio.gather(*(one(s) for s in batch), return_exceptions=True)
        for snapshot, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                # Left RUNNING: its lease expires and a later tick retries it.
                log.error("snapshot %s crashed", snapshot.id, exc_info=result)
                report.errors.append(f"{snapshot.id}: {result!r}")
            elif result.status is SnapshotStatus.COMPLETED:
                report.completed += 1
            elif result.status is SnapshotStatus.QUEUED:
                report.retrying += 1
            else:
                report.failed += 1
