"""Callers by API key, kept between requests while PostgreSQL says nothing changed.

Reading the key, its user and every role they hold was one statement of the
three a screen costs. A process keeps what it read, per key, for a short
while (``AUTH_CACHE_SECONDS``), and only while it listens on PostgreSQL's
``principals_changed`` channel: triggers on the tables a caller is made of
(api_keys, users, memberships, projects, organizations; migration 0008)
notify it when any of them changes, whoever changed them (another replica,
the CLI, a hand-written UPDATE), and every process then forgets everything
it kept. The notification comes as the change commits; the process that
made the change forgets at once too (``changed``, called by ``authorize``),
so its own next request never sees what it just took away. Without a
listener (SQLite, where the CLI is another process, or a lost connection
until it is back) nothing is kept and every request reads.

A read that began before a change is not kept (``generation``), and the
secret is checked against the kept hash on every request.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphql_api.services.authentication import Principal

CHANNEL = "principals_changed"
TRIGGERED_TABLES = 6  # migration 0008's triggers, one per table
PING = "ping:"
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Kept:
    secret_hash: str
    principal: Principal
    last_used_at: datetime | None
    expires: float  # time.monotonic()


class PrincipalCache:
    def __init__(
        self, max_entries: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_seconds = 0.0  # 0: nothing is kept (set by listen_for_changes)
        self.max_entries = max_entries
        self.monotonic = monotonic
        self.generation = 0  # moves on at every change: reads begun before are not kept
        self.heard = ""  # the last notification's payload (the table it came from)
        self.ping = ""  # the heartbeat the listener waits to hear
        self.ping_heard = asyncio.Event()
        self._kept: OrderedDict[str, Kept] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.ttl_seconds > 0

    def get(self, key_id: str) -> Kept | None:
        kept = self._kept.get(key_id)
        if kept is None:
            return None
        if not self.enabled or kept.expires <= self.monotonic():
            del self._kept[key_id]
            return None
        return kept

    def keep(
        self,
        key_id: str,
        secret_hash: str,
        principal: Principal,
        last_used_at: datetime | None,
        generation: int,
    ) -> None:
        """Keep what a read found, unless something changed since it began."""
        if not self.enabled or generation != self.generation:
            return
        expires = self.monotonic() + self.ttl_seconds
        self._kept[key_id] = Kept(secret_hash, principal, last_used_at, expires)
        self._kept.move_to_end(key_id)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)

    def changed(self) -> None:
        """Forget everything: some caller's key or roles changed."""
        self.generation += 1
        self._kept.clear()

    def start(self, ttl_seconds: float) -> None:
        self.changed()  # what changed while nobody listened is unknown
        self.ttl_seconds = ttl_seconds

    def stop(self) -> None:
        self.ttl_seconds = 0.0
        self.changed()

    def __len__(self) -> int:
        return len(self._kept)


PRINCIPALS = PrincipalCache()


async def listen_for_changes(
    connect: Callable[[], Awaitable[Any]],
    ttl_seconds: float,
    stop: asyncio.Event,
    cache: PrincipalCache = PRINCIPALS,
    retry_seconds: float = 1.0,
    heartbeat_seconds: float = 5.0,
) -> None:
    """Keep callers in ``cache`` while a connection (from ``connect``) listens
    on CHANNEL and hears itself: every ``heartbeat_seconds`` it notifies the
    channel and must hear that within as long again, so a connection that
    died silently (an idle flow dropped by a load balancer, a pooler that
    ignores LISTEN) stops the keeping within two heartbeats. It checks the
    triggers are there first. When it is lost, nothing is kept until a new
    one listens (retrying with backoff)."""
    delay = retry_seconds
    while not stop.is_set():
        connection: Any = None
        try:
            connection = await asyncio.wait_for(connect(), heartbeat_seconds * 2)
            triggers = await connection.fetchval(
                "SELECT count(*) FROM pg_trigger WHERE tgname = $1", CHANNEL
            )
            if triggers < TRIGGERED_TABLES:
                raise LookupError(
                    f"{triggers} of {TRIGGERED_TABLES} {CHANNEL} triggers (migration 0008)"
                )
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _, lost=lost: lost.set())
            await connection.add_listener(CHANNEL, lambda *args: _heard(cache, args[-1]))
            cache.start(ttl_seconds)
            delay = retry_seconds
            await _heartbeats(connection, cache, stop, lost, heartbeat_seconds)
        except Exception as error:
            log.warning("not keeping API key lookups: not listening for changes (%s)", error)
        finally:
            cache.stop()
            if connection is not None:
                with suppress(Exception):
                    await connection.close(timeout=2)
        if not stop.is_set():
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 30.0)


async def _heartbeats(
    connection: Any,
    cache: PrincipalCache,
    stop: asyncio.Event,
    lost: asyncio.Event,
    every: float,
) -> None:
    """Until stopped or lost: notify the channel and hear it back, in time."""
    while not stop.is_set() and not lost.is_set():
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(_first(stop.wait(), lost.wait()), every)
        if stop.is_set() or lost.is_set():
            return
        ping = cache.ping = f"{PING}{uuid.uuid4().hex}"
        heard = cache.ping_heard = asyncio.Event()
        try:
            await asyncio.wait_for(connection.execute(f"NOTIFY {CHANNEL}, '{ping}'"), every)
            await asyncio.wait_for(_first(heard.wait(), lost.wait()), every)
        except TimeoutError:
            raise TimeoutError(f"did not hear its own notification within {every:g} s") from None


def _heard(cache: PrincipalCache, payload: str) -> None:
    if payload.startswith(PING):  # a heartbeat, this process's or another's: no change
        if payload == cache.ping:
            cache.ping_heard.set()
        return
    cache.heard = payload
    cache.changed()


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
