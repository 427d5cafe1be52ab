"""S3Store against moto's S3 server on loopback: real HTTP, real multipart uploads."""

from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from obstore.exceptions import PreconditionError

from graphql_api.storage.base import InvalidKeyError, ObjectNotFoundError, StoredObject
from graphql_api.storage.s3 import MIB, MIN_PART_SIZE, READ_CHUNK_SIZE, S3Store

BUCKET = "flex-snapshots-test"
REGION = "us-east-1"
KEY_ID, SECRET = "testing-key-id", "testing-secret"
CHUNK = 64 * 1024
# Just over one minimum-size part, so every big put is a real two-part upload.
BIG_CHUNKS = MIN_PART_SIZE // CHUNK + 1
BIG = BIG_CHUNKS * CHUNK


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _admin(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def _admin(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture(scope="session")
def admin(endpoint: str) -> Any:
    """A plain boto3 client, to look at the bucket behind S3Store's back."""
    return _admin(endpoint)


@pytest.fixture
def prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def make_store(endpoint: str, path: str, **tuning: int) -> S3Store:
    return S3Store.from_url(
        f"s3://{BUCKET}/{path}",
        endpoint=endpoint,
        region=REGION,
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        allow_http=True,
        **tuning,
    )


@pytest.fixture
def store(endpoint: str, prefix: str) -> S3Store:
    """Small parts and read windows so that a few MiB exercise both."""
    return make_store(endpoint, prefix, part_size=MIN_PART_SIZE, read_window=MIB)


def payload(n: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


async def chunked(data: bytes, size: int = CHUNK) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]
        await asyncio.sleep(0)


async def read(store: S3Store, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in store.get(key, start, end)])


def pending_uploads(admin: Any, prefix: str) -> list[dict[str, Any]]:
    uploads: list[dict[str, Any]] = admin.list_multipart_uploads(
        Bucket=BUCKET, Prefix=f"{prefix}/"
    ).get("Uploads", [])
    return uploads


async def test_round_trip_is_a_streamed_multipart_upload(
    store: S3Store, admin: Any, prefix: str
) -> None:
    data = payload(BIG)
    stored = await store.put("cluster/2026-11-20.archive", chunked(data))

    assert stored == StoredObject(
        key="cluster/2026-11-20.archive", size=BIG, sha256=hashlib.sha256(data).hexdigest()
    )
    assert await store.size("cluster/2026-11-20.archive") == BIG
    chunks = [chunk async for chunk in store.get("cluster/2026-11-20.archive")]
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= MIB  # never more than one read window
    head = admin.head_object(Bucket=BUCKET, Key=f"{prefix}/cluster/2026-11-20.archive")
    assert head["ETag"].endswith('-2"')  # two parts: sent while the stream was running


async def test_default_window_reads_in_bounded_chunks(endpoint: str, prefix: str) -> None:
    store = make_store(endpoint, prefix)
    data = payload(BIG, seed=1)
    await store.put("whole", chunked(data))

    chunks = [chunk async for chunk in store.get("whole")]

    assert b"".join(chunks) == data
    assert len(chunks) > 1
    assert max(len(c) for c in chunks) < 2 * READ_CHUNK_SIZE


async def test_range_reads(store: S3Store) -> None:
    data = payload(3 * MIB + 123, seed=2)  # several 1 MiB read windows
    await store.put("ranged", chunked(data))
    size = len(data)

    assert await read(store, "ranged", 10) == data[10:]
    assert await read(store, "ranged", 5, 17) == data[5:17]
    assert await read(store, "ranged", MIB - 3, 2 * MIB + 5) == data[MIB - 3 : 2 * MIB + 5]
    assert await read(store, "ranged", size - 7, size + 1000) == data[-7:]
    assert await read(store, "ranged", 0, size) == data
    assert await read(store, "ranged", size) == b""
    assert await read(store, "ranged", size + 10, size + 20) == b""
    assert await read(store, "ranged", 40, 40) == b""
    assert await read(store, "ranged", 40, 30) == b""


async def test_object_replaced_mid_read_fails_instead_of_mixing(store: S3Store) -> None:
    await store.put("k", chunked(payload(3 * MIB, seed=3)))
    reader = store.get("k")
    first = await anext(reader)

    await store.put("k", chunked(payload(3 * MIB, seed=4)))

    with pytest.raises(PreconditionError):
        async for chunk in reader:
            first += chunk
    assert len(first) < 3 * MIB


async def test_empty_object(store: S3Store) -> None:
    stored = await store.put("empty", chunked(b""))

    assert stored == StoredObject(key="empty", size=0, sha256=hashlib.sha256(b"").hexdigest())
    assert await store.size("empty") == 0
    assert await read(store, "empty") == b""


async def test_missing_key(store: S3Store) -> None:
    assert await store.size("nope") is None
    for start, end in [(0, None), (5, None), (5, 10), (10, 10)]:
        with pytest.raises(ObjectNotFoundError):
            await read(store, "nope", start, end)


async def test_delete_is_idempotent(store: S3Store) -> None:
    await store.put("doomed", chunked(b"bytes"))

    await store.delete("doomed")
    await store.delete("doomed")
    await store.delete("never-existed")

    assert await store.size("doomed") is None
    assert await store.keys() == []


async def test_overwrite_replaces_the_object(store: S3Store) -> None:
    await store.put("k", chunked(b"first version"))
    await store.put("k", chunked(b"second"))

    assert await read(store, "k") == b"second"


async def test_keys_under_a_prefix(store: S3Store) -> None:
    for key in ["snapshots/b", "snapshots/a/1", "snapshots_old/x", "other", "snap"]:
        await store.put(key, chunked(key.encode()))

    assert await store.keys() == [
        "other",
        "snap",
        "snapshots/a/1",
        "snapshots/b",
        "snapshots_old/x",
    ]
    assert await store.keys("snapshots/") == ["snapshots/a/1", "snapshots/b"]
    assert await store.keys("snapshots/a") == ["snapshots/a/1"]
    # Plain string prefixes, like LocalStore, although S3 lists by whole segments.
    assert await store.keys("snap") == ["snap", "snapshots/a/1", "snapshots/b", "snapshots_old/x"]
    assert await store.keys("snapshots_") == ["snapshots_old/x"]
    assert await store.keys("nothing/") == []


async def test_failing_stream_leaves_nothing(store: S3Store, admin: Any, prefix: str) -> None:
    async def dies() -> AsyncIterator[bytes]:
        data = payload(BIG)  # more than a part: one part is already on its way
        async for chunk in chunked(data):
            yield chunk
        raise ConnectionResetError("mongodump went away")

    with pytest.raises(ConnectionResetError, match="mongodump went away"):
        await store.put("broken", dies())

    assert await store.size("broken") is None
    assert await store.keys() == []
    assert pending_uploads(admin, prefix) == []  # obstore aborted the multipart upload


async def test_failing_overwrite_keeps_the_old_object(store: S3Store) -> None:
    await store.put("k", chunked(b"good"))

    async def dies() -> AsyncIterator[bytes]:
        yield b"half of something new"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await store.put("k", dies())

    assert await read(store, "k") == b"good"


async def test_cancelled_put_aborts_the_upload(store: S3Store, admin: Any, prefix: str) -> None:
    stalled, closed = asyncio.Event(), asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        try:
            async for chunk in chunked(payload(BIG)):
                yield chunk
            stalled.set()
            await asyncio.Event().wait()  # a producer that hangs
            yield b"never"
        finally:
            closed.set()

    task = asyncio.create_task(store.put("stalled", stalls()))
    await asyncio.wait_for(stalled.wait(), timeout=10)
    assert pending_uploads(admin, prefix) != []

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert closed.is_set()  # the hanging pull was interrupted, the producer closed
    assert await store.size("stalled") is None
    assert pending_uploads(admin, prefix) == []


async def test_put_cancelled_while_completing_leaves_nothing(
    store: S3Store, admin: Any, prefix: str
) -> None:
    tasks: list[asyncio.Task[StoredObject]] = []

    async def cancels_when_done() -> AsyncIterator[bytes]:
        yield b"complete object"
        # Runs once obstore has the last chunk and starts completing the upload.
        asyncio.get_running_loop().call_soon(tasks[0].cancel)

    tasks.append(asyncio.create_task(store.put("late", cancels_when_done())))
    with pytest.raises(asyncio.CancelledError):
        await tasks[0]

    assert await store.size("late") is None
    assert pending_uploads(admin, prefix) == []


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../b", "", "a//b"])
async def test_invalid_keys_are_rejected(store: S3Store, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        await store.put(key, chunked(b"x"))
    with pytest.raises(InvalidKeyError):
        await read(store, key)
    with pytest.raises(InvalidKeyError):
        await store.size(key)
    with pytest.raises(InvalidKeyError):
        await store.delete(key)
    assert await store.keys() == []


async def test_prefixes_isolate_stores_in_one_bucket(endpoint: str, prefix: str) -> None:
    germany = make_store(endpoint, f"{prefix}/GERMANY")
    germany2 = make_store(endpoint, f"{prefix}/GERMANY2")
    parent = make_store(endpoint, prefix)

    await germany.put("snap", chunked(b"de"))
    await germany2.put("snap", chunked(b"de2"))
    await germany2.put("only-here", chunked(b"x"))

    assert await germany.keys() == ["snap"]
    assert await germany2.keys() == ["only-here", "snap"]
    assert await read(germany, "snap") == b"de"
    assert await germany.size("only-here") is None
    assert await parent.keys() == ["GERMANY/snap", "GERMANY2/only-here", "GERMANY2/snap"]
    await germany.delete("only-here")
    assert await germany2.size("only-here") == 1


async def test_credentials_come_from_the_environment(
    endpoint: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    store = S3Store.from_url(f"s3://{BUCKET}/{prefix}", endpoint=endpoint, allow_http=True)

    await store.put("k", chunked(b"env"))

    assert await read(store, "k") == b"env"


def test_from_url_names_and_validation(endpoint: str) -> None:
    def named(url: str) -> str:
        return S3Store.from_url(url, endpoint=endpoint, region=REGION).name

    assert named(f"s3://{BUCKET}") == f"s3://{BUCKET}"
    assert named(f"s3://{BUCKET}/") == f"s3://{BUCKET}"
    assert named(f"s3://{BUCKET}/a/b/") == f"s3://{BUCKET}/a/b"
    for bad in ["http://bucket/x", "s3://", "s3:///x", f"s3://{BUCKET}/../x", "s3://b/x?y=1"]:
        with pytest.raises(ValueError):
            named(bad)
    with pytest.raises(ValueError):
        S3Store.from_url(f"s3://{BUCKET}", part_size=MIB)


async def test_sweep_aborts_uploads_a_killed_writer_left(
    store: S3Store, admin: Any, prefix: str
) -> None:
    """A process killed mid-upload aborts nothing; the scheduler's sweep does,
    once the upload is older than a lease. Uploads outside the prefix stay."""
    admin.create_multipart_upload(Bucket=BUCKET, Key=f"{prefix}/dead.archive.gz")
    admin.create_multipart_upload(Bucket=BUCKET, Key=f"other-{prefix}/not-ours")
    # moto dates every upload 2010-11-10, so "too young" is told by a longer age.
    assert await store.sweep(timedelta(days=365 * 50)) == 0  # too young: maybe a live writer
    assert len(pending_uploads(admin, prefix)) == 1
    assert await store.sweep(timedelta(minutes=15)) == 1
    assert pending_uploads(admin, prefix) == []
    assert pending_uploads(admin, f"other-{prefix}") != []
