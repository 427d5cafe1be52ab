"""What every snapshot store offers, whatever keeps the bytes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class InvalidKeyError(ValueError):
    """A key that could leave the store's folder or bucket prefix."""


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key.split("/") or len(key) > 512:
        raise InvalidKeyError(f"invalid storage key {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # hex digest of exactly the bytes stored


class ObjectNotFoundError(LookupError):
    pass


class SnapshotStore(Protocol):
    """One storage location's bytes.

    ``put`` is atomic: a reader sees the whole object or nothing, and a write
    that fails or is cancelled leaves nothing behind. Reads and writes stream
    in bounded memory.
    """

    name: str  # for logs and errors, e.g. "file:///var/snapshots/GERMANY"

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> StoredObject: ...

    def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive; None: to the end). Raises
        ObjectNotFoundError when iterated if the key does not exist."""
        ...

    async def size(self, key: str) -> int | None:
        """The object's size, or None when it does not exist."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""
        ...

    async def keys(self, prefix: str = "") -> list[str]:
        """Every complete object's key under ``prefix`` (for audits and tests)."""
        ...

    async def sweep(self, older_than: timedelta) -> int:
        """Remove unfinished writes older than ``older_than`` (wall-clock age):
        what a killed process left. How many were removed."""
        ...
