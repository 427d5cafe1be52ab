"""The mongodump archive format (``mongodump --archive``), written and read in pure Python.

Snapshots must be restorable with the standard ``mongorestore --archive --gzip``, so this
follows mongo-tools' ``common/archive`` (spec.md, prelude.go, multiplexer.go, parser.go,
demultiplexer.go) byte for byte: a little-endian magic number, a prelude block (header
document, one metadata document per collection, terminator), then per collection one data
segment (namespace header, raw BSON documents, terminator) and an EOF block (EOF header
carrying the CRC-64/ECMA of the collection's document bytes, terminator). mongorestore
rejects the archive on a CRC mismatch, so the checksum has to be exact.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import bson
from bson import json_util
from bson.errors import InvalidBSON
from bson.int64 import Int64

MAGIC = struct.pack("<I", 0x8199E26D)
TERMINATOR = b"\xff\xff\xff\xff"
FORMAT_VERSION = "0.1"
MAX_BSON_SIZE = 16 * 1024 * 1024  # mongo-tools' db.MaxBSONSize: larger is "corruption"
ID_INDEX: Mapping[str, Any] = {"v": 2, "key": {"_id": 1}, "name": "_id_"}

_CRC64_ECMA_REFLECTED = 0xC96C5795D7870F42  # Go's crc64.ECMA, bit-reversed as Go uses it
_MASK64 = (1 << 64) - 1


def _crc64_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC64_ECMA_REFLECTED if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC64_TABLE = _crc64_table()


def crc64_ecma(data: bytes, crc: int = 0) -> int:
    """Go's ``crc64.Update(crc, crc64.MakeTable(crc64.ECMA), data)``; chainable like Go's hash."""
    crc ^= _MASK64
    table = _CRC64_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK64


class ArchiveFormatError(ValueError):
    """The bytes are not a well-formed mongodump archive (so mongorestore would reject them)."""


@dataclass(frozen=True)
class Namespace:
    """One collection to archive; ``documents`` may be a lazy iterable (e.g. a cursor)."""

    db: str
    collection: str
    documents: Iterable[Mapping[str, Any]]
    indexes: Sequence[Mapping[str, Any]] = (ID_INDEX,)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ArchivedNamespace:
    """One collection read back from an archive."""

    db: str
    collection: str
    documents: list[dict[str, Any]]
    metadata: dict[str, Any]
    server_version: str
    type: str = "collection"


def _metadata_json(ns: Namespace) -> str:
    """What mongodump writes to ``<coll>.metadata.json``: canonical extended JSON, compact."""
    meta: dict[str, Any] = {"options": dict(ns.options)} if ns.options else {}
    meta |= {"indexes": list(ns.indexes), "collectionName": ns.collection, "type": "collection"}
    return json_util.dumps(
        meta,
        json_options=json_util.CANONICAL_JSON_OPTIONS,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _signed(crc: int) -> int:
    """Go stores the unsigned CRC as ``int64(sum)``: same bits, two's complement."""
    return crc - (1 << 64) if crc >= 1 << 63 else crc


def _ns_header(ns: Namespace, *, eof: bool, crc: int = 0) -> bytes:
    return bson.encode(
        {"db": ns.db, "collection": ns.collection, "EOF": eof, "CRC": Int64(_signed(crc))}
    )


def archive_chunks(
    namespaces: Iterable[Namespace],
    *,
    server_version: str = "8.0.0",
    tool_version: str = "100.10.0",
    chunk_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """Uncompressed archive bytes in pieces of about ``chunk_size``, so dumps stream.

    The namespaces are listed up front (the prelude names them all), but their documents are
    consumed lazily, one piece at a time. ``server_version`` must look like "8.0.0":
    mongorestore parses it.
    """
    nss = list(namespaces)
    seen: set[tuple[str, str]] = set()
    for ns in nss:
        if not ns.collection or (ns.db, ns.collection) in seen:
            raise ValueError(f"empty or duplicate namespace {ns.db}.{ns.collection}")
        seen.add((ns.db, ns.collection))
    prelude = bytearray(MAGIC)
    prelude += bson.encode(
        {
            "concurrent_collections": 1,  # one collection at a time, never interleaved
            "version": FORMAT_VERSION,
            "server_version": server_version,
            "tool_version": tool_version,
        }
    )
    for ns in nss:
        # size stays 0 like mongodump's (it is only a progress hint and we stream)
        prelude += bson.encode(
            {
                "db": ns.db,
                "collection": ns.collection,
                "metadata": _metadata_json(ns),
                "size": 0,
                "type": "collection",
            }
        )
    yield bytes(prelude + TERMINATOR)

    for ns in nss:
        # Like mongodump, even an empty collection gets a (bodiless) data segment.
        buf, crc = bytearray(_ns_header(ns, eof=False)), 0
        for doc in ns.documents:
            raw = bson.encode(doc)
            if len(raw) > MAX_BSON_SIZE:
                raise ValueError(f"document in {ns.db}.{ns.collection} exceeds 16 MiB")
            crc = crc64_ecma(raw, crc)
            buf += raw
            if len(buf) >= chunk_size:
                yield bytes(buf)
                buf.clear()
        yield bytes(buf + TERMINATOR + _ns_header(ns, eof=True, crc=crc) + TERMINATOR)


def gzip_chunks(chunks: Iterable[bytes], level: int = 6) -> Iterator[bytes]:
    """Gzip a byte stream piece by piece (what ``--gzip`` expects); yields non-empty pieces."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits=31: gzip container
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    if tail := compressor.flush():
        yield tail


class _Parser:
    """Reads the archive's low-level blocks: BSON documents and terminators."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read

    def read(self, n: int, what: str, *, eof_ok: bool = False) -> bytes:
        """Exactly ``n`` bytes; b"" only for a clean end of stream when ``eof_ok``."""
        data = b""
        while len(data) < n:
            try:
                piece = self._read(n - len(data))
            except (OSError, EOFError, zlib.error) as exc:  # bad or truncated gzip
                raise ArchiveFormatError(f"cannot read archive: {exc}") from exc
            if not piece:
                break
            data += piece
        if len(data) < n and (data or not eof_ok):
            raise ArchiveFormatError(f"archive truncated while reading {what}")
        return data

    def doc_or_terminator(self, what: str) -> bytes | None:
        """Raw BSON, None for a terminator, b"" for a clean end of stream."""
        prefix = self.read(4, what, eof_ok=True)
        if not prefix or prefix == TERMINATOR:
            return None if prefix else b""
        (size,) = struct.unpack("<i", prefix)
        if not 5 <= size <= MAX_BSON_SIZE:
            raise ArchiveFormatError(f"{size} is neither a BSON length nor a terminator ({what})")
        raw = prefix + self.read(size - 4, what)
        if raw[-1] != 0:
            raise ArchiveFormatError(f"BSON document in {what} does not end with a null byte")
        return raw

    def doc(self, what: str) -> dict[str, Any]:
        raw = self.doc_or_terminator(what)
        if not raw:
            raise ArchiveFormatError(f"expected a BSON document for {what}")
        return _decode(raw, what)


def _decode(raw: bytes, what: str) -> dict[str, Any]:
    try:
        return bson.decode(raw)
    except (InvalidBSON, ValueError, TypeError, OverflowError) as exc:
        raise ArchiveFormatError(f"invalid BSON in {what}: {exc}") from exc


def read_archive(stream: BinaryIO | bytes, *, gzipped: bool = True) -> list[ArchivedNamespace]:
    """Parse and validate a whole archive (magic, terminators, CRCs, completeness)."""
    source: BinaryIO = io.BytesIO(stream) if isinstance(stream, bytes) else stream
    parser = _Parser(gzip.GzipFile(fileobj=source, mode="rb").read if gzipped else source.read)
    if parser.read(4, "magic number") != MAGIC:
        raise ArchiveFormatError("stream does not start with the mongodump archive magic number")
    header = parser.doc("archive header")
    if header.get("version") != FORMAT_VERSION:
        raise ArchiveFormatError(f"unsupported archive version {header.get('version')!r}")
    server_version = str(header.get("server_version", ""))

    found: dict[str, ArchivedNamespace] = {}
    while (raw := parser.doc_or_terminator("prelude")) is not None:
        if not raw:
            raise ArchiveFormatError("archive truncated in the prelude")
        meta = _decode(raw, "prelude")
        db, coll = meta.get("db"), meta.get("collection")
        if not isinstance(db, str) or not isinstance(coll, str) or not coll:
            raise ArchiveFormatError(f"collection metadata without db/collection: {meta}")
        try:
            metadata = json_util.loads(meta.get("metadata") or "{}")
        except (ValueError, TypeError) as exc:
            raise ArchiveFormatError(f"bad metadata JSON for {db}.{coll}: {exc}") from exc
        kind = str(meta.get("type") or "collection")
        found[f"{db}.{coll}"] = ArchivedNamespace(db, coll, [], metadata, server_version, kind)

    crcs: dict[str, int] = {}
    closed: set[str] = set()
    while (raw := parser.doc_or_terminator("namespace header")) != b"":
        if raw is None:
            raise ArchiveFormatError("consecutive terminators / headerless block")
        head = _decode(raw, "namespace header")
        name = f"{head.get('db')}.{head.get('collection')}"
        if name not in found or name in closed:
            raise ArchiveFormatError(f"data for unknown or already finished namespace {name}")
        target, crc = found[name], crcs.get(name, 0)
        if head.get("EOF") is True:
            if _signed(crc) != head.get("CRC"):
                raise ArchiveFormatError(f"CRC mismatch for namespace {name}")
            closed.add(name)
            if parser.doc_or_terminator(f"EOF block of {name}") is not None:
                raise ArchiveFormatError(f"EOF header of {name} not followed by a terminator")
            continue
        while (doc := parser.doc_or_terminator(f"documents of {name}")) is not None:
            if not doc:
                raise ArchiveFormatError(f"archive truncated in documents of {name}")
            crc = crc64_ecma(doc, crc)
            target.documents.append(_decode(doc, f"documents of {name}"))
        crcs[name] = crc
    if missing := sorted(found.keys() - closed):
        raise ArchiveFormatError(f"archive ended before namespaces finished: {missing}")
    return list(found.values())


__all__ = [
    "ArchiveFormatError",
    "ArchivedNamespace",
    "Namespace",
    "archive_chunks",
    "crc64_ecma",
    "gzip_chunks",
    "read_archive",
]
