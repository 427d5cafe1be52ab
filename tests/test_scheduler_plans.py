"""The statements a tick repeats read their rows off an index, in the order
they want them, on SQLite and PostgreSQL: a claim costs its batch, not the
queue, and settling CREATING clusters does not scan the fleet each tick.

PostgreSQL plans a tiny test table as a scan and a sort whatever its indexes,
so there the plan is asked for with those off: it shows what the indexes
allow (an ordered read, no sort), which is what a large table gets
(bench.tick_scale's EXPLAIN ANALYZE at 100,000 due clusters, bench/results.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from graphql_api.domain.clusters import ClusterState
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster
from graphql_api.services import cluster_lifecycle, daily_snapshots
from graphql_api.services.leases import RetryPolicy
from tests.conftest import World
from tests.test_scheduler_scale import TICK, _due_clusters

POLICY = RetryPolicy(lease=timedelta(minutes=15), max_attempts=3, retry_delay=timedelta(1))


@contextmanager
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, list[Any]]]]:
    """Yields a list that fills with each (statement, its values) read or written."""
    seen: list[tuple[str, list[Any]]] = []
    client = type(connections.get("default"))
    with monkeypatch.context() as patch:
        for name in ("execute_query", "execute_query_dict"):
            original = getattr(client, name)

            def recording(original: Callable[..., Awaitable[Any]]) -> Any:
                async def wrapper(self: Any, query: str, values: Any = None) -> Any:
                    seen.append((query, list(values or [])))
                    return await original(self, query, values)

                return wrapper

            patch.setattr(client, name, recording(original))
        yield seen


async def plan(query: str, values: list[Any]) -> str:
    """The query's plan as text, one line per step."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "sqlite":
        rows = await connection.execute_query_dict("EXPLAIN QUERY PLAN " + query, values)
        return "\n".join(row["detail"] for row in rows)
    async with in_transaction() as tx:
        for step in ("seqscan", "bitmapscan", "sort"):
            await tx.execute_script(f"SET LOCAL enable_{step} = off")
        rows = await tx.execute_query_dict("EXPLAIN " + query, values)
    return "\n".join(row["QUERY PLAN"] for row in rows)


def one(seen: list[tuple[str, list[Any]]], start: str, table: str) -> tuple[str, list[Any]]:
    found = [(q, v) for q, v in seen if q.startswith(start) and f'"{table}"' in q.split("WHERE")[0]]
    assert found, f"no {start} on {table} among {[q[:60] for q, _ in seen]}"
    return found[0]


def ordered_read_of(index: str, text: str) -> bool:
    """Read off ``index``, in its order: no sort of the rows found."""
    return index in text and "TEMP B-TREE" not in text and "Sort" not in text


async def test_a_claim_reads_its_batch_off_the_waiting_index_in_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_clusters(await world.project(), 30)
    await daily_snapshots.schedule_due_snapshots(TICK)
    with sent(monkeypatch) as seen:
        claimed = await daily_snapshots.claim_snapshots(TICK, "w", POLICY, limit=10)
    assert len(claimed) == 10
    select = await plan(*one(seen, "SELECT", "snapshots"))
    assert ordered_read_of("idx_snapshots_waiting", select), select
    if connections.get("default").capabilities.dialect == "sqlite":
        # Without statistics SQLite chose a (status, ...) index for the UPDATE
        # that takes the batch, reading every waiting row: now its primary key.
        # (PostgreSQL weighs the two by its statistics.)
        update = await plan(*one(seen, "UPDATE", "snapshots"))
        assert "USING INDEX sqlite_autoindex_snapshots_1 (id=?)" in update, update


async def test_giving_up_reads_only_waiting_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_clusters(await world.project(), 5)
    await daily_snapshots.schedule_due_snapshots(TICK)
    later = TICK + timedelta(days=1)  # their day is over
    stores: Any = {}
    with sent(monkeypatch) as seen:
        failed, _ = await daily_snapshots.give_up(later, POLICY, stores)
    assert failed == 5
    select = await plan(*one(seen, "SELECT", "snapshots"))
    assert ordered_read_of("idx_snapshots_waiting", select), select


async def test_settling_reads_only_creating_clusters_oldest_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_clusters(await world.project(), 5)
    await Cluster.all().update(state=ClusterState.CREATING)
    with sent(monkeypatch) as seen:
        settled = await cluster_lifecycle.settle_creating(SimulatedFleet(), batch_size=3)
    assert settled == 3
    select = await plan(*one(seen, "SELECT", "clusters"))
    assert ordered_read_of("idx_clusters_creating", select), select
