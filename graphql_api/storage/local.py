"""Snapshot bytes in a local folder: write to a temp file, fsync, rename."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from graphql_api.storage.base import ObjectNotFoundError, StoredObject, check_key

CHUNK_SIZE = 1024 * 1024
PARTIAL_SUFFIX = ".partial"


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.name = self.root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # belt and braces after check_key
            raise ValueError(f"key {key!r} escapes {self.root}")
        return path

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> StoredObject:
        # Three thread hops per object (open, batched writes, commit) rather than
        # one per step and per chunk: at 10,000 snapshots a tick, hops add up.
        path, partial, handle = await asyncio.to_thread(self._open_partial, key)
        digest, size = hashlib.sha256(), 0
        pending: list[bytes] = []
        pending_size = 0
        try:
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= CHUNK_SIZE:
                    await asyncio.to_thread(handle.writelines, pending)
                    pending, pending_size = [], 0
            await asyncio.to_thread(_commit, handle, pending, partial, path)
        except BaseException:
            with contextlib.suppress(OSError):  # a full disk fails the close too
                handle.close()
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    def _open_partial(self, key: str) -> tuple[Path, Path, BinaryIO]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}")
        return path, partial, open(partial, "wb")  # closed by _commit, or by put on failure

    async def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        try:
            await asyncio.to_thread(handle.seek, start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                want = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                chunk = await asyncio.to_thread(handle.read, want)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self._path(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self._path(key).unlink)

    async def keys(self, prefix: str = "") -> list[str]:
        def walk() -> list[str]:
            if not self.root.exists():
                return []
            found = []
            for path in self.root.rglob("*"):
                if path.is_file() and not path.name.endswith(PARTIAL_SUFFIX):
                    rel = path.relative_to(self.root).as_posix()
                    if rel.startswith(prefix):
                        found.append(rel)
            return sorted(found)

        return await asyncio.to_thread(walk)

    async def sweep(self, older_than: timedelta) -> int:
        def remove_stale() -> int:
            cutoff = time.time() - older_than.total_seconds()
            removed = 0
            for path in self.root.rglob(f"*{PARTIAL_SUFFIX}") if self.root.exists() else ():
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
            return removed

        return await asyncio.to_thread(remove_stale)

    async def partial_files(self) -> list[Path]:
        """Temp files a killed process left (a cancelled write removes its own)."""
        if not self.root.exists():
            return []
        return await asyncio.to_thread(lambda: sorted(self.root.rglob(f"*{PARTIAL_SUFFIX}")))


def _commit(handle: BinaryIO, pending: list[bytes], partial: Path, path: Path) -> None:
    """Write what is left, make it durable, then publish it under its name."""
    handle.writelines(pending)
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(partial, path)
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
