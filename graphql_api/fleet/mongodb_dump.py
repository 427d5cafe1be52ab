"""A dump of a real replica set, read from one secondary only, as a gzip'd mongodump archive.

Everything, down to ``listDatabases``, ``listCollections`` and ``listIndexes``, goes over one
direct connection to the chosen member (pymongo's ``list_collections()``/``list_indexes()``
helpers would pick the primary on a replica-set client). The member must still say it is a
secondary before the dump, before each collection, every ROLE_CHECK_SECONDS within a long one,
and before the archive is closed: a member that became primary meanwhile gets nothing more,
and the unfinished archive is refused.
Documents stay raw BSON from the socket to the archive. Reading is pipelined: the next batch
is fetched on the event loop while a worker thread appends the previous one to the archive
and compresses it, so the member is never kept waiting by gzip.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from bson.binary import Binary
from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ConfigurationError, OperationFailure

from graphql_api.domain.clusters import NodeHealth
from graphql_api.fleet.archive import GzipStream, Namespace, NamespaceWriter, prelude_bytes
from graphql_api.fleet.base import ClusterAddress, FleetError
from graphql_api.fleet.mongodb_connect import MongoOptions, direct_client, fleet_error

log = logging.getLogger("graphql_api.fleet")

SYSTEM_DATABASES = frozenset({"admin", "local", "config"})
STAGING_PREFIX = "flexrestore_"  # a restore's staging databases: never user data
TOOL_VERSION = "100.10.0"  # what the archive header claims to be written by (mongodump's)
CHUNK_SIZE = 256 * 1024
ROLE_CHECK_SECONDS = 5.0
T = TypeVar("T")
PLAIN: CodecOptions[dict[str, Any]] = CodecOptions()  # metadata is decoded; documents are not


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


async def _batches(cursor: Any, size: int) -> AsyncIterator[list[Any]]:
    while batch := await cursor.to_list(size):
        yield batch


async def read_ahead(source: AsyncIterator[T], depth: int = 2) -> AsyncIterator[T]:
    """``source``'s items, fetched up to ``depth`` ahead by a task of their own."""
    queue: asyncio.Queue[Any] = asyncio.Queue(depth)

    async def pump() -> None:
        try:
            async for item in source:
                await queue.put(item)
            await queue.put(_DONE)
        except Exception as exc:
            await queue.put(_Failed(exc))

    task = asyncio.create_task(pump())
    try:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _append(writer: NamespaceWriter, gz: GzipStream, docs: list[Any]) -> bytes:
    """Worker thread: documents into the archive, full pieces through gzip."""
    return b"".join(gz.compress(piece) for doc in docs if (piece := writer.add(doc)))


def is_user_database(name: str) -> bool:
    return name not in SYSTEM_DATABASES and not name.startswith(STAGING_PREFIX)


async def ensure_secondary(client: AsyncMongoClient[Any], node: NodeHealth) -> None:
    """Refuse to go on unless the member still says it is a secondary."""
    hello = await client.admin.command("hello", codec_options=PLAIN)
    if hello.get("isWritablePrimary") or hello.get("ismaster"):
        raise FleetError(
            f"Node {node.hostname} has become the primary; snapshots are never read from the "
            "primary. The attempt will be retried with a secondary."
        )
    if not hello.get("secondary"):
        raise FleetError(
            f"Node {node.hostname} is no longer a healthy secondary. The attempt will be retried."
        )


async def _server_version(client: AsyncMongoClient[Any], cluster: ClusterAddress) -> str:
    """The member's version as mongorestore parses it ("8.0.4")."""
    try:
        info = await client.admin.command("buildInfo", codec_options=PLAIN)
        version = str(info.get("version") or "")
    except OperationFailure:
        version = ""
    version = version or cluster.mongodb_version
    parts = [*version.split("-")[0].split("."), "0", "0"][:3]
    return ".".join(p if p.isdigit() else "0" for p in parts)


async def _collections(client: AsyncMongoClient[Any], db: str) -> list[Namespace]:
    """One database's collections and views, with options, uuid and index definitions."""
    database = client.get_database(db, codec_options=PLAIN)
    found = []
    infos = await (await database.cursor_command("listCollections")).to_list()
    for info in sorted(infos, key=lambda i: str(i["name"])):
        name, kind = str(info["name"]), str(info.get("type") or "collection")
        if name.startswith("system."):
            continue  # server-owned (views live in their own entries below)
        if kind == "timeseries":
            raise FleetError(
                f"Database {db!r} has a time series collection, which this service cannot "
                "snapshot yet."
            )
        uuid = (info.get("info") or {}).get("uuid")
        uuid_hex = bytes(uuid).hex() if isinstance(uuid, Binary) and uuid.subtype == 4 else None
        indexes: list[Any] = []
        if kind == "collection":
            cursor = await database.cursor_command("listIndexes", name)
            indexes = await cursor.to_list()
        found.append(
            Namespace(db, name, (), indexes, dict(info.get("options") or {}), uuid_hex, kind)
        )
    return found


async def _plan(client: AsyncMongoClient[Any]) -> list[Namespace]:
    listed = await client.admin.command("listDatabases", nameOnly=True, codec_options=PLAIN)
    names = sorted(str(d["name"]) for d in listed.get("databases") or ())
    plan: list[Namespace] = []
    for db in filter(is_user_database, names):
        plan += await _collections(client, db)
    return plan


async def _snapshot_session(
    client: AsyncMongoClient[Any], plan: list[Namespace], options: MongoOptions
) -> AsyncClientSession | None:
    """A snapshot session pinned by a first read, or None where the server cannot do it."""
    first = next((ns for ns in plan if ns.type == "collection"), None)
    if not options.snapshot_reads or first is None:
        return None
    session = None
    try:
        session = client.start_session(snapshot=True)
        await client[first.db][first.collection].find_one({}, session=session)
    except (OperationFailure, ConfigurationError) as exc:
        log.info("snapshot reads unavailable (%s); dumping without a snapshot", exc)
        if session is not None:
            await session.end_session()
        return None
    return session


async def dump_archive(
    cluster: ClusterAddress, node: NodeHealth, options: MongoOptions
) -> AsyncIterator[bytes]:
    """Gzip'd archive bytes of every user database, read from ``node`` only."""
    client = await direct_client(cluster, node.hostname, options)
    session: AsyncClientSession | None = None
    gz = GzipStream()
    try:
        await ensure_secondary(client, node)
        version = await _server_version(client, cluster)
        plan = await _plan(client)
        session = await _snapshot_session(client, plan, options)
        prelude = prelude_bytes(plan, server_version=version, tool_version=TOOL_VERSION)
        yield await asyncio.to_thread(gz.compress, prelude)
        for ns in plan:
            await ensure_secondary(client, node)
            checked = time.monotonic()
            writer = NamespaceWriter(ns.db, ns.collection, CHUNK_SIZE)
            if ns.type == "collection":
                cursor = client[ns.db][ns.collection].find(
                    {}, batch_size=options.batch_size, session=session
                )
                async for docs in read_ahead(_batches(cursor, options.batch_size)):
                    if out := await asyncio.to_thread(_append, writer, gz, docs):
                        yield out
                    if time.monotonic() - checked > ROLE_CHECK_SECONDS:
                        await ensure_secondary(client, node)
                        checked = time.monotonic()
            if out := await asyncio.to_thread(gz.compress, writer.finish()):
                yield out
        await ensure_secondary(client, node)  # else the archive stays unfinished: refused
        yield gz.flush()
    except Exception as exc:
        raise fleet_error(exc, cluster, f"dumping from {node.hostname}") from None
    finally:
        if session is not None:
            await session.end_session()
        await client.close()
