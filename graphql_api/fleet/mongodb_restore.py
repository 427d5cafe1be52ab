"""A restore into a real replica set: staging databases first, then a swap per collection.

Order of work, so that a failure before the swap leaves the target as it was:
1. spool the archive to disk, check its SHA-256, structure and CRCs (mongodb_spool);
2. load every collection into a staging database (``flexrestore_NNN``, one per source
   database) with its options, documents (raw BSON, untouched) and then its indexes, and
   check each staged collection's count against the archive's;
3. swap: move each staged collection over its target (``renameCollection`` with
   ``dropTarget``), drop the target's user collections the archive does not have, recreate
   views, drop the staging databases.
The server's word is checked, not trusted: after each rename the staged collection must be
gone and the target must hold the archive's count. A server that answers ok without moving it
(some wire-compatible servers do) gets a copy instead, verified the same way.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from graphql_api.fleet.archive import ArchivedNamespace, ArchiveReader
from graphql_api.fleet.base import ClusterAddress, FleetError, Progress
from graphql_api.fleet.mongodb_connect import MongoOptions, fleet_error, replica_set_client
from graphql_api.fleet.mongodb_dump import PLAIN, STAGING_PREFIX, is_user_database
from graphql_api.fleet.mongodb_spool import CheckedArchive, CountingReader

log = logging.getLogger("graphql_api.fleet")

MAX_BATCH_BYTES = 8 * 1024 * 1024


class Batches:
    """Raw documents of the spooled archive, a batch at a time, never spanning two
    namespaces; ``consumed`` is how many archive bytes were read so far."""

    def __init__(self, path: Path, batch_size: int) -> None:
        self._file = CountingReader(path.open("rb"))
        self._docs = ArchiveReader(gzip.GzipFile(fileobj=self._file, mode="rb").read).documents()
        self._batch_size = batch_size
        self._pending: tuple[ArchivedNamespace, bytes] | None = None

    @property
    def consumed(self) -> int:
        return self._file.consumed

    def next(self) -> tuple[ArchivedNamespace, list[bytes]] | None:
        ns: ArchivedNamespace | None = None
        batch: list[bytes] = []
        size = 0
        if self._pending is not None:
            (ns, first), self._pending = self._pending, None
            batch, size = [first], len(first)
        for doc_ns, raw in self._docs:
            if ns is None:
                ns = doc_ns
            elif doc_ns is not ns:
                self._pending = (doc_ns, raw)
                break
            batch.append(raw)
            size += len(raw)
            if len(batch) >= self._batch_size or size >= MAX_BATCH_BYTES:
                break
        return (ns, batch) if ns is not None else None

    def close(self) -> None:
        self._file.raw.close()


def staging_names(namespaces: Sequence[ArchivedNamespace]) -> dict[str, str]:
    """Source database -> its staging database, in archive order."""
    dbs = list(dict.fromkeys(ns.db for ns in namespaces))
    return {db: f"{STAGING_PREFIX}{i:03d}" for i, db in enumerate(dbs)}


def _index_specs(ns: ArchivedNamespace) -> list[dict[str, Any]]:
    specs = []
    for index in ns.metadata.get("indexes") or ():
        if index.get("name") == "_id_":
            continue
        specs.append({k: v for k, v in index.items() if k != "ns"})
    return specs


def _create_options(ns: ArchivedNamespace) -> dict[str, Any]:
    return dict(ns.metadata.get("options") or {})


async def _drop_staging(client: AsyncMongoClient[Any]) -> None:
    listed = await client.admin.command("listDatabases", nameOnly=True, codec_options=PLAIN)
    for d in listed.get("databases") or ():
        if str(d["name"]).startswith(STAGING_PREFIX):
            await client.drop_database(str(d["name"]))


async def _count(client: AsyncMongoClient[Any], db: str, coll: str) -> int:
    reply = await client[db].command("count", coll, codec_options=PLAIN)
    return int(reply.get("n", -1))


async def _collection_names(client: AsyncMongoClient[Any], db: str) -> set[str]:
    cursor = await client.get_database(db, codec_options=PLAIN).cursor_command(
        "listCollections", nameOnly=True
    )
    return {str(c["name"]) for c in await cursor.to_list()}


async def _create_indexes(client: AsyncMongoClient[Any], db: str, ns: ArchivedNamespace) -> None:
    if specs := _index_specs(ns):
        await client[db].command("createIndexes", ns.collection, indexes=specs)


async def load_staging(
    client: AsyncMongoClient[Any],
    archive: CheckedArchive,
    staging: dict[str, str],
    progress: Progress,
    options: MongoOptions,
) -> None:
    """Every collection of the archive into its staging database, counts checked."""
    collections = [ns for ns in archive.namespaces if ns.type == "collection"]
    for ns in collections:
        await client[staging[ns.db]].command({"create": ns.collection, **_create_options(ns)})
    batches = await asyncio.to_thread(Batches, archive.path, options.batch_size)
    try:
        while (got := await asyncio.to_thread(batches.next)) is not None:
            ns, raw = got
            target = client[staging[ns.db]][ns.collection]
            await target.insert_many(
                [RawBSONDocument(r) for r in raw], ordered=True, bypass_document_validation=True
            )
            await progress(batches.consumed)
    finally:
        await asyncio.to_thread(batches.close)
    for ns in collections:
        await _create_indexes(client, staging[ns.db], ns)


async def _copy(
    client: AsyncMongoClient[Any], source_db: str, ns: ArchivedNamespace, options: MongoOptions
) -> None:
    """Replace the target collection with a copy of the staged one (no server-side move)."""
    await client[ns.db].drop_collection(ns.collection)
    await client[ns.db].command({"create": ns.collection, **_create_options(ns)})
    target = client[ns.db][ns.collection]
    batch: list[RawBSONDocument] = []
    async for doc in client[source_db][ns.collection].find({}, batch_size=options.batch_size):
        batch.append(doc)
        if len(batch) >= options.batch_size:
            await target.insert_many(batch, ordered=True, bypass_document_validation=True)
            batch = []
    if batch:
        await target.insert_many(batch, ordered=True, bypass_document_validation=True)
    await _create_indexes(client, ns.db, ns)
    await client[source_db].drop_collection(ns.collection)


async def _swap_one(
    client: AsyncMongoClient[Any], source_db: str, ns: ArchivedNamespace, options: MongoOptions
) -> None:
    source, target = f"{source_db}.{ns.collection}", f"{ns.db}.{ns.collection}"
    await client.admin.command("renameCollection", source, to=target, dropTarget=True)
    if ns.collection in await _collection_names(client, source_db):
        log.warning("renameCollection %s -> %s answered ok, moved nothing: copying", source, target)
        await _copy(client, source_db, ns, options)
    if (n := await _count(client, ns.db, ns.collection)) != ns.count:
        raise FleetError(f"{target} holds {n} documents after the swap, not {ns.count}.")


async def swap(
    client: AsyncMongoClient[Any],
    archive: CheckedArchive,
    staging: dict[str, str],
    options: MongoOptions,
) -> None:
    """Staged collections over the targets, then the target's other user data dropped."""
    kept: dict[str, set[str]] = {}
    for ns in archive.namespaces:
        kept.setdefault(ns.db, set()).add(ns.collection)
        if ns.type == "collection":
            await _swap_one(client, staging[ns.db], ns, options)
    listed = await client.admin.command("listDatabases", nameOnly=True, codec_options=PLAIN)
    for db in (str(d["name"]) for d in listed.get("databases") or ()):
        if not is_user_database(db):
            continue
        if db not in kept:
            await client.drop_database(db)
            continue
        for name in await _collection_names(client, db) - kept[db]:
            if not name.startswith("system."):
                await client[db].drop_collection(name)
    for ns in archive.namespaces:
        if ns.type == "view":
            await client[ns.db].drop_collection(ns.collection)
            await client[ns.db].command({"create": ns.collection, **_create_options(ns)})


def _pattern(name: str) -> str:
    """A literal name in a mongorestore namespace pattern."""
    return re.sub(r"([\\*$])", r"\\\1", name)


async def mongorestore_staging(
    cluster: ClusterAddress, archive: CheckedArchive, staging: dict[str, str], folder: Path
) -> None:
    """Load the staging databases with ``mongorestore --archive --gzip`` (UNTESTED here: no
    mongorestore on the development machines). The password goes in a 0600 config file,
    never on the command line."""
    exe = shutil.which("mongorestore")
    assert exe is not None
    config = folder / "mongorestore.yaml"
    config.touch(mode=0o600)
    config.write_text(f"password: {json.dumps(cluster.password or '')}\n", encoding="utf-8")
    args = [exe, f"--uri={cluster.connection_string}", f"--archive={archive.path}", "--gzip"]
    args += ["--drop", "--bypassDocumentValidation", "--writeConcern={w: 'majority'}"]
    if cluster.username:
        args += [f"--username={cluster.username}", f"--config={config}"]
    for db, stage in staging.items():
        args += [f"--nsFrom={_pattern(db)}.*", f"--nsTo={_pattern(stage)}.*"]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        log.warning("mongorestore failed for cluster %s: %s", cluster.id, err.decode()[-2000:])
        raise FleetError("mongorestore could not load the archive; the target was not changed.")


async def restore_archive(
    cluster: ClusterAddress,
    archive: CheckedArchive,
    folder: Path,
    progress: Progress,
    options: MongoOptions,
) -> None:
    """Stage, check, swap (see the module's docstring); the archive is already checked."""
    staging = staging_names(archive.namespaces)
    client: AsyncMongoClient[RawBSONDocument] = replica_set_client(
        cluster, options, document_class=RawBSONDocument, w="majority"
    )
    try:
        try:
            await _drop_staging(client)  # what an interrupted attempt may have left
            if shutil.which("mongorestore"):
                await mongorestore_staging(cluster, archive, staging, folder)
            else:
                await load_staging(client, archive, staging, progress, options)
            await _check_staged(client, archive, staging)
        except Exception as exc:
            error = fleet_error(exc, cluster, "loading the archive into staging")
            await _cleanup(client, cluster)
            raise FleetError(f"{error} The target was not changed.") from None
        try:
            await swap(client, archive, staging, options)
            await _drop_staging(client)
        except Exception as exc:
            error = fleet_error(exc, cluster, "swapping the restored collections in")
            raise FleetError(
                f"{error} Some collections may already hold the snapshot's data; "
                "run the restore again."
            ) from None
        await progress(archive.path.stat().st_size)
    finally:
        await client.close()


async def _check_staged(
    client: AsyncMongoClient[Any], archive: CheckedArchive, staging: dict[str, str]
) -> None:
    """Every staged collection holds the archive's count (a server's ok is not proof)."""
    for ns in archive.namespaces:
        if ns.type != "collection":
            continue
        if (n := await _count(client, staging[ns.db], ns.collection)) != ns.count:
            raise FleetError(
                f"The staged copy of {ns.db}.{ns.collection} holds {n} documents where the "
                f"archive has {ns.count}."
            )


async def _cleanup(client: AsyncMongoClient[Any], cluster: ClusterAddress) -> None:
    try:
        await _drop_staging(client)
    except Exception:
        log.warning("cluster %s: staging databases not dropped", cluster.id, exc_info=True)
