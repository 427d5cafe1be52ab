"""Keeping callers in tests (services/principal_cache.py): a listener as the
app's lifespan starts one, and a barrier for what a test's setup notified."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from graphql_api.services.principal_cache import PRINCIPALS, listen_for_changes

WAIT_SECONDS = 5.0


async def until(condition: Callable[[], bool | Awaitable[bool]]) -> None:
    waited = 0.0
    while waited < WAIT_SECONDS:
        found = condition()
        if await found if isinstance(found, Awaitable) else found:
            return
        await asyncio.sleep(0.02)
        waited += 0.02
    raise AssertionError("not within the wait")


@asynccontextmanager
async def listening(
    dsn: str, connect: Callable[[], Awaitable[Any]] | None = None, heartbeat_seconds: float = 5.0
) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        listen_for_changes(
            connect or (lambda: asyncpg.connect(dsn)), 60.0, stop,
            retry_seconds=0.05, heartbeat_seconds=heartbeat_seconds,
        )
    )  # fmt: skip
    await until(lambda: PRINCIPALS.enabled)
    try:
        yield
    finally:
        stop.set()
        await task
    assert not PRINCIPALS.enabled


async def elsewhere(dsn: str, sql: str, *args: object) -> None:
    """A statement on a connection of its own (another replica, the CLI...)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


async def settled(dsn: str) -> None:
    """Every change made so far has been heard: notifications reach the
    listener in commit order, so once a last one of ours is heard, so are
    those of the world the test just made."""
    barrier = f"barrier-{uuid.uuid4()}"
    await elsewhere(dsn, f"NOTIFY principals_changed, '{barrier}'")
    await until(lambda: PRINCIPALS.heard == barrier)
