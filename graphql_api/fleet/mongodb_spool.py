"""A restore's archive on local disk, checked before anything touches the target.

The archive arrives as a stream from the snapshot store. It is written to a temporary file
while its SHA-256 is computed, then read once more to check its structure and every
collection's CRC, so a damaged or cut archive is refused whole, in constant memory.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graphql_api.fleet.archive import ArchivedNamespace, ArchiveFormatError, ArchiveReader
from graphql_api.fleet.base import ArchiveInfo, FleetError


@dataclass(frozen=True)
class CheckedArchive:
    """A spooled archive whose bytes, structure and CRCs are right."""

    path: Path
    server_version: str
    namespaces: list[ArchivedNamespace]  # prelude order, ``count`` filled, no documents kept


class CountingReader:
    """A binary file that counts the bytes read from it (progress of a gzip'd read)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.consumed = raw, 0

    def read(self, n: int = -1, /) -> bytes:
        data = self.raw.read(n)
        self.consumed += len(data)
        return data

    def seek(self, offset: int, whence: int = 0, /) -> int:  # gzip rewinds a little at the end
        return self.raw.seek(offset, whence)


async def spool(archive: AsyncIterator[bytes], expected: ArchiveInfo, folder: Path) -> Path:
    """Write the stream to ``folder``; refuse it unless its SHA-256 and size match."""
    path = folder / "archive.gz"
    digest, size = hashlib.sha256(), 0
    fh = await asyncio.to_thread(path.open, "wb")
    try:
        async for chunk in archive:
            digest.update(chunk)
            size += len(chunk)
            await asyncio.to_thread(fh.write, chunk)
    finally:
        await asyncio.to_thread(fh.close)
    wrong_size = bool(expected.size_bytes) and size != expected.size_bytes
    if digest.hexdigest() != expected.sha256 or wrong_size:
        raise FleetError("The archive does not match the snapshot's SHA-256; nothing was restored.")
    return path


def _check(path: Path) -> CheckedArchive:
    with path.open("rb") as fh:
        reader = ArchiveReader(gzip.GzipFile(fileobj=fh, mode="rb").read)
        for _ in reader.documents():
            pass
    return CheckedArchive(path, reader.server_version, list(reader.namespaces.values()))


async def check(path: Path) -> CheckedArchive:
    """Read the whole archive once (in a thread): magic, terminators, CRCs, completeness."""
    try:
        return await asyncio.to_thread(_check, path)
    except ArchiveFormatError:
        raise FleetError(
            "The archive is damaged (not a valid mongodump archive); nothing was restored."
        ) from None


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="flex-restore-")
