"""Snapshot bytes in an S3 bucket (or an S3-compatible store), through obstore.

Writes are multipart uploads: S3 only makes the object visible when the upload
is completed, which gives the atomicity the ``SnapshotStore`` protocol asks for,
and parts are sent while the stream is still being produced, so memory stays
bounded (about ``part_size * (MAX_CONCURRENCY + 1)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import S3Store as _ObstoreS3Store

from graphql_api.storage.base import ObjectNotFoundError, StoredObject, check_key
from graphql_api.storage.s3_uploads import UploadSweeper

if TYPE_CHECKING:
    from obstore import GetOptions, GetResult, PutResult
    from obstore.store import ClientConfig, S3Config

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB  # S3 rejects smaller parts (except the last one)
PART_SIZE = 8 * MIB  # 10,000 parts at most: objects up to ~78 GiB
MAX_CONCURRENCY = 4  # parts in flight at once
READ_WINDOW = 64 * MIB  # one GET request per window, so no request outlives the timeout
READ_CHUNK_SIZE = 1 * MIB  # obstore's min_chunk_size for streamed reads
ABORT_GRACE_SECONDS = 30.0  # how long a cancelled put waits for the abort request

# obstore's default overall request timeout (30 s) would kill a streamed read
# that a slow consumer keeps open; windows bound each request instead.
_CLIENT_OPTIONS: ClientConfig = {
    "connect_timeout": "10s",
    "read_timeout": "60s",
    "timeout": "10min",
}

# obstore raises the builtin FileNotFoundError for a missing object; its own
# NotFoundError is listed too in case a version maps it the other way.
_MISSING = (FileNotFoundError, NotFoundError)


class _PutCancelledError(Exception):
    """Raised into obstore's upload loop so that it aborts the multipart upload."""


class _Feed:
    """The caller's chunks on their way to obstore, hashed and counted.

    obstore pulls each chunk in its own asyncio task; remembering that task lets a
    cancelled ``put`` interrupt a pull that is waiting on a slow producer.
    """

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self._chunks = aiter(chunks)
        self._digest = hashlib.sha256()
        self._aborted = False
        self._pulling: asyncio.Task[object] | None = None
        self.size = 0

    def __aiter__(self) -> _Feed:
        return self

    async def __anext__(self) -> bytes:
        if self._aborted:
            raise _PutCancelledError
        self._pulling = asyncio.current_task()
        try:
            chunk = await anext(self._chunks)
        finally:
            self._pulling = None
        self._digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def abort(self) -> None:
        self._aborted = True
        if self._pulling is not None:
            self._pulling.cancel()

    def sha256(self) -> str:
        return self._digest.hexdigest()


class S3Store:
    """A bucket, or a prefix in one, holding snapshot objects."""

    def __init__(
        self,
        store: _ObstoreS3Store,
        name: str,
        *,
        part_size: int = PART_SIZE,
        read_window: int = READ_WINDOW,
        uploads: UploadSweeper | None = None,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        if read_window <= 0:
            raise ValueError("read_window must be positive")
        self._store = store
        self._part_size = part_size
        self._read_window = read_window
        self._uploads = uploads
        self.name = name

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        allow_http: bool = False,
        part_size: int = PART_SIZE,
        read_window: int = READ_WINDOW,
    ) -> S3Store:
        """``s3://bucket`` or ``s3://bucket/prefix``; whatever is not given here
        comes from obstore's environment handling (AWS_ACCESS_KEY_ID, ...)."""
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"not an s3://bucket[/prefix] url: {url!r}")
        if prefix:
            check_key(prefix)  # the prefix obeys the same rules as keys
        name = f"s3://{parts.netloc}/{prefix}" if prefix else f"s3://{parts.netloc}"

        config: S3Config = {}
        if endpoint is not None:
            config["endpoint"] = endpoint
        if region is not None:
            config["region"] = region
        if access_key_id is not None:
            config["access_key_id"] = access_key_id
        if secret_access_key is not None:
            config["secret_access_key"] = secret_access_key
        client: ClientConfig = {**_CLIENT_OPTIONS, "allow_http": allow_http}
        store = _ObstoreS3Store.from_url(name, config=config, client_options=client)
        uploads = UploadSweeper(
            bucket=parts.netloc,
            prefix=f"{prefix}/" if prefix else "",
            endpoint=endpoint,
            region=region,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )
        return cls(store, name, part_size=part_size, read_window=read_window, uploads=uploads)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> StoredObject:
        """Stream ``chunks`` into one multipart upload.

        A failing iterable makes obstore abort the upload. A cancelled put does
        not just drop obstore's future (that would leave the upload's parts
        behind, invisible but billed, and the producer suspended): it makes the
        next pull fail so obstore aborts, waits for that, then re-raises.
        """
        check_key(key)
        feed = _Feed(chunks)
        upload = asyncio.ensure_future(
            obstore.put_async(
                self._store,
                key,
                feed,
                chunk_size=self._part_size,
                max_concurrency=MAX_CONCURRENCY,
            )
        )
        try:
            await asyncio.shield(upload)
        except asyncio.CancelledError:
            await self._abandon(key, feed, upload)
            raise
        return StoredObject(key=key, size=feed.size, sha256=feed.sha256())

    async def _abandon(self, key: str, feed: _Feed, upload: asyncio.Future[PutResult]) -> None:
        feed.abort()
        done, _ = await asyncio.wait({upload}, timeout=ABORT_GRACE_SECONDS)
        if not done:
            upload.cancel()  # gives up on the abort; a bucket lifecycle rule cleans up
            return
        if upload.cancelled() or upload.exception() is not None:
            return  # aborted: nothing was ever visible
        # The upload completed before the abort could stop it: undo it, since
        # the caller is told the write did not happen.
        with contextlib.suppress(BaseError, OSError, TimeoutError):
            await asyncio.wait_for(
                obstore.delete_async(self._store, key), timeout=ABORT_GRACE_SECONDS
            )

    async def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Stream the range in windows of ``read_window`` bytes, one GET each.

        Later windows are conditional on the first one's ETag, so an object
        replaced mid-read fails (PreconditionError) instead of mixing versions.
        """
        check_key(key)
        if start < 0:
            raise ValueError(f"negative start {start}")
        if end is not None and end <= start:
            if await self.size(key) is None:
                raise ObjectNotFoundError(key)
            return
        pos, stop, etag = start, end, None
        while stop is None or pos < stop:
            window_end = pos + self._read_window
            if stop is not None:
                window_end = min(window_end, stop)
            options: GetOptions = {"range": (pos, window_end)}
            if etag is not None:
                options["if_match"] = etag
            result = await self._get_window(key, options, pos, first=etag is None)
            if result is None:
                return
            meta = result.meta
            stop = meta["size"] if stop is None else min(stop, meta["size"])
            etag = meta["e_tag"] or etag
            async for chunk in result.stream(min_chunk_size=READ_CHUNK_SIZE):
                yield chunk
            if result.range[1] <= pos:
                return  # no progress: the object ends here
            pos = result.range[1]

    async def _get_window(
        self, key: str, options: GetOptions, pos: int, *, first: bool
    ) -> GetResult | None:
        """One ranged GET; None when the first window starts at or past the end
        (S3 answers 416 there, the protocol wants an empty read)."""
        try:
            return await obstore.get_async(self._store, key, options=options)
        except _MISSING:
            raise ObjectNotFoundError(key) from None
        except BaseError:
            if not first:
                raise
            size = await self.size(key)
            if size is None:
                raise ObjectNotFoundError(key) from None
            if pos >= size:
                return None
            raise

    async def size(self, key: str) -> int | None:
        try:
            meta = await obstore.head_async(self._store, check_key(key))
        except _MISSING:
            return None
        return meta["size"]

    async def delete(self, key: str) -> None:
        """S3 already treats deleting a missing key as success; other
        S3-compatible stores may answer 404, which is fine too."""
        with contextlib.suppress(*_MISSING):
            await obstore.delete_async(self._store, check_key(key))

    async def sweep(self, older_than: timedelta) -> int:
        """Abort the multipart uploads a killed writer left (a failed or
        cancelled put aborts its own)."""
        return 0 if self._uploads is None else await self._uploads.sweep(older_than)

    async def keys(self, prefix: str = "") -> list[str]:
        """obstore lists by whole path segments, so list the last complete
        folder of ``prefix`` and filter by plain string prefix, as LocalStore does."""
        folder = prefix.rpartition("/")[0] or None
        found: list[str] = []
        async for batch in obstore.list(self._store, folder, chunk_size=1000):
            found.extend(meta["path"] for meta in batch if meta["path"].startswith(prefix))
        return sorted(found)
