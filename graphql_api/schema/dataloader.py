"""DataLoaders whose results survive one awaiting field being cancelled.

Several fields of a request may await the same key, and so the same future.
When a field fails, graphql-core cancels its siblings still running; a
sibling cancelled while awaiting a load would cancel that shared future too,
and every other field waiting for the key would get CancelledError, which
no error handler catches (an HTTP 500). Each caller here awaits its own
shield of the shared future instead.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K")
T = TypeVar("T")


class SharedDataLoader(DataLoader[K, T]):
    def load(self, key: K) -> asyncio.Future[T]:
        shared = asyncio.ensure_future(super().load(key))  # a Future already
        # If every caller was cancelled, nobody reads its outcome: read it here,
        # so an error is not reported again as "never retrieved" at exit.
        shared.add_done_callback(_retrieve)
        return asyncio.shield(shared)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
