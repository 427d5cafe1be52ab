"""One database connection per API request instead of one per statement.

Tortoise takes a pooled asyncpg connection for each statement and gives it
back after, and asyncpg resets a connection it gets back (one more round
trip each time). This middleware lets every statement of an API request
share one connection, taken at the first statement (a request that reads
nothing takes none) and given back when the request ends, so the reset runs
once per request. A transaction gives it back first and takes a connection
of its own, exactly as before (the rest of that request goes back to one per
statement), and so does anything that outlives the request.

SQLite has a single connection anyway: there, nothing changes.
"""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContext
from tortoise.exceptions import ConfigurationError

CONNECTION = "default"


_TURNS: WeakKeyDictionary[AsyncpgDBClient, asyncio.Semaphore] = WeakKeyDictionary()


def _turns(pool_client: AsyncpgDBClient) -> asyncio.Semaphore:
    """Requests take the pool's connections in turn (first come, first
    served). asyncpg's pool queue is not fair: a connection given back
    without a reset round trip (db.py) went to whichever request asked
    next rather than to one already waiting, and the p99 latency under load
    grew to seconds. A request waits here, in order, for one of the pool's
    connections instead."""
    turns = _TURNS.get(pool_client)
    if turns is None:
        turns = _TURNS[pool_client] = asyncio.Semaphore(pool_client.pool_maxsize)
    return turns


class _Pinned(TransactionWrapper):
    """A client that runs every statement on one pooled connection, outside
    any transaction (statements are serialised by the wrapper's lock, as in
    a transaction, so DataLoaders running side by side are safe)."""

    def __init__(self, pool_client: AsyncpgDBClient) -> None:
        super().__init__(pool_client)
        self._connection = None  # taken at the first statement
        self._done = False

    def acquire_connection(self) -> Any:
        if self._done:  # used after the request ended: a pooled connection per statement
            return self._parent.acquire_connection()
        return _Lease(self)

    def _in_transaction(self) -> TransactionContext:
        return _UnpinnedTransaction(self)

    async def release(self) -> None:
        async with self._lock:
            self._done = True
            if self._connection is not None:
                connection, self._connection = self._connection, None
                assert self._parent._pool is not None
                try:
                    await self._parent._pool.release(connection)
                finally:
                    _turns(self._parent).release()


class _UnpinnedTransaction(TransactionContext):
    """A transaction on a connection of its own, as without this middleware;
    the pinned connection goes back to the pool first (the rest of the request
    takes one per statement), so a request never holds two: five requests
    each holding one and waiting for another would starve a pool of five."""

    def __init__(self, pinned: _Pinned) -> None:
        self.pinned = pinned
        self.inner: TransactionContext | None = None

    async def __aenter__(self) -> Any:
        await self.pinned.release()
        self.inner = self.pinned._parent._in_transaction()
        return await self.inner.__aenter__()

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        assert self.inner is not None
        await self.inner.__aexit__(exc_type, exc_val, exc_tb)


class _Lease:
    """``async with`` the pinned connection, taking it from the pool if needed."""

    __slots__ = ("pinned",)

    def __init__(self, pinned: _Pinned) -> None:
        self.pinned = pinned

    async def __aenter__(self) -> Any:
        pinned = self.pinned
        await pinned._lock.acquire()
        try:
            if pinned._connection is None:
                pool_client = pinned._parent
                await pool_client.acquire_connection().ensure_connection()  # the pool, once
                assert pool_client._pool is not None
                turns = _turns(pool_client)
                await turns.acquire()
                try:
                    pinned._connection = await pool_client._pool.acquire()
                except BaseException:
                    turns.release()
                    raise
        except BaseException:
            pinned._lock.release()
            raise
        return pinned._connection

    async def __aexit__(self, *exc: object) -> None:
        self.pinned._lock.release()


# The API's entry points: GraphQL, and the Atlas REST API under its prefix.
PATHS = ("/graphql", "/api/atlas/v2")


class OneConnectionPerRequest:
    """ASGI middleware: HTTP requests to one of ``paths`` (or under it) share
    one connection."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = PATHS) -> None:
        self.app = app
        self.paths = paths

    def _applies(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            client = connections.get(CONNECTION)
        except ConfigurationError:  # no ORM (yet): the request fails at its first statement
            client = None
        if type(client) is not AsyncpgDBClient:  # SQLite, or already in a transaction
            await self.app(scope, receive, send)
            return
        assert isinstance(client, AsyncpgDBClient)
        pinned = _Pinned(client)
        token = connections.set(CONNECTION, pinned)
        try:
            await self.app(scope, receive, send)
        finally:
            connections.reset(token)
            await pinned.release()
