"""The mongodump archive format (``mongodump --archive``), written and read in pure Python.

Snapshots must be restorable with the standard ``mongorestore --archive --gzip``, so this
follows mongo-tools' ``common/archive`` (spec.md, prelude.go, multiplexer.go, parser.go,
demultiplexer.go) byte for byte: a little-endian magic number, a prelude block (header
document, one metadata document per collection, terminator), then per collection its data
segment (namespace header, raw BSON documents, terminator) and an EOF block (EOF header
carrying the CRC-64/ECMA of the collection's document bytes, terminator). mongorestore
rejects the archive on a CRC mismatch, so the checksum has to be exact.

Documents pass through as raw BSON: the writer takes ``bytes`` and ``RawBSONDocument`` as they
came off the wire (a plain mapping is encoded once), and the streaming reader hands back raw
bytes, so nothing is decoded and re-encoded on the way.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import anycrc  # type: ignore[import-untyped]
import bson
from bson import json_util
from bson.errors import InvalidBSON
from bson.int64 import Int64
from bson.raw_bson import RawBSONDocument

MAGIC = struct.pack("<I", 0x8199E26D)
TERMINATOR = b"\xff\xff\xff\xff"
FORMAT_VERSION = "0.1"
MAX_BSON_SIZE = 16 * 1024 * 1024  # mongo-tools' db.MaxBSONSize: larger is "corruption"
ID_INDEX: Mapping[str, Any] = {"v": 2, "key": {"_id": 1}, "name": "_id_"}

# Go's crc64.ECMA table as hash/crc64 uses it (reflected, all-ones init and final xor),
# which the CRC catalogue calls CRC-64/XZ. anycrc computes it in C; a pure-Python loop
# manages ~5 MB/s, slower than a secondary serves documents.
_CRC64_XZ = anycrc.Model("CRC64-XZ")

Document = Mapping[str, Any] | RawBSONDocument | bytes


def crc64_ecma(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """Go's ``crc64.Update(crc, crc64.MakeTable(crc64.ECMA), data)``; chainable like Go's hash."""
    if not len(data):
        return crc
    return int(_CRC64_XZ.calc(data, crc))


class ArchiveFormatError(ValueError):
    """The bytes are not a well-formed mongodump archive (so mongorestore would reject them)."""


@dataclass(frozen=True)
class Namespace:
    """One collection (or view) to archive; ``documents`` may be a lazy iterable (a cursor).

    ``uuid`` is the collection UUID as 32 hex digits, as mongodump writes it, when the source
    knows it; ``type`` is listCollections' type ("collection" or "view").
    """

    db: str
    collection: str
    documents: Iterable[Document]
    indexes: Sequence[Mapping[str, Any]] = (ID_INDEX,)
    options: Mapping[str, Any] = field(default_factory=dict)
    uuid: str | None = None
    type: str = "collection"


@dataclass
class ArchivedNamespace:
    """One collection read back from an archive."""

    db: str
    collection: str
    documents: list[dict[str, Any]]
    metadata: dict[str, Any]
    server_version: str
    type: str = "collection"
    count: int = 0  # documents seen by the streaming reader


def _metadata_json(ns: Namespace) -> str:
    """What mongodump writes to ``<coll>.metadata.json`` (mongodump/metadata_dump.go's
    ``Metadata``: options, indexes, uuid, collectionName, type): canonical extended JSON."""
    meta: dict[str, Any] = {"options": dict(ns.options)} if ns.options else {}
    meta["indexes"] = list(ns.indexes)
    if ns.uuid:
        meta["uuid"] = ns.uuid
    meta |= {"collectionName": ns.collection, "type": ns.type}
    return json_util.dumps(
        meta,
        json_options=json_util.CANONICAL_JSON_OPTIONS,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _signed(crc: int) -> int:
    """Go stores the unsigned CRC as ``int64(sum)``: same bits, two's complement."""
    return crc - (1 << 64) if crc >= 1 << 63 else crc


def _ns_header(db: str, collection: str, *, eof: bool, crc: int = 0) -> bytes:
    return bson.encode({"db": db, "collection": collection, "EOF": eof, "CRC": Int64(_signed(crc))})


def raw_bson(doc: Document) -> bytes:
    """The document's BSON bytes: raw input passes through untouched, a mapping is encoded."""
    raw: bytes
    if isinstance(doc, RawBSONDocument):
        raw = bytes(doc.raw)
    elif isinstance(doc, bytes | bytearray | memoryview):
        raw = bytes(doc)
    else:
        raw = bson.encode(doc)
    if len(raw) > MAX_BSON_SIZE:
        raise ValueError("a document exceeds 16 MiB (the archive's BSON size limit)")
    if len(raw) < 5 or int.from_bytes(raw[:4], "little") != len(raw) or raw[-1] != 0:
        raise ValueError("not a single well-formed BSON document")
    return raw


def prelude_bytes(
    namespaces: Sequence[Namespace], *, server_version: str, tool_version: str
) -> bytes:
    """Magic number, header, one metadata document per namespace, terminator."""
    seen: set[tuple[str, str]] = set()
    for ns in namespaces:
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
    for ns in namespaces:
        # size stays 0 like mongodump's (it is only a progress hint and we stream)
        prelude += bson.encode(
            {
                "db": ns.db,
                "collection": ns.collection,
                "metadata": _metadata_json(ns),
                "size": 0,
                "type": ns.type,
            }
        )
    return bytes(prelude + TERMINATOR)


class NamespaceWriter:
    """One namespace's data segment and EOF block, fed one raw document at a time.

    ``add`` returns a piece once about ``chunk_size`` bytes are pending, ``finish`` the rest.
    The segment header is written with the first document: an empty collection gets only its
    EOF block. The spec's grammar (``namespace-data = +document``) has no document-less
    segment; mongodump's buffered MuxIn does emit one (header + terminator) on close, and
    mongorestore's demultiplexer accepts both, since it opens a namespace at its first header,
    data or EOF.
    """

    def __init__(self, db: str, collection: str, chunk_size: int = 64 * 1024) -> None:
        self.db, self.collection, self.chunk_size = db, collection, chunk_size
        self.count = 0
        self._buf = bytearray()
        self._docs_from = 0  # where this piece's document bytes start (after a header)
        self._crc = 0

    def add(self, doc: Document) -> bytes | None:
        raw = raw_bson(doc)
        if not self.count:
            self._buf += _ns_header(self.db, self.collection, eof=False)
            self._docs_from = len(self._buf)
        self._buf += raw
        self.count += 1
        return self._take() if len(self._buf) >= self.chunk_size else None

    def _take(self) -> bytes:
        with memoryview(self._buf) as view:
            self._crc = crc64_ecma(view[self._docs_from :], self._crc)
        piece = bytes(self._buf)
        self._buf.clear()
        self._docs_from = 0
        return piece

    def finish(self) -> bytes:
        tail = self._take() + TERMINATOR if self.count else b""
        eof = _ns_header(self.db, self.collection, eof=True, crc=self._crc)
        return tail + eof + TERMINATOR


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
    yield prelude_bytes(nss, server_version=server_version, tool_version=tool_version)
    for ns in nss:
        writer = NamespaceWriter(ns.db, ns.collection, chunk_size)
        for doc in ns.documents:
            if piece := writer.add(doc):
                yield piece
        yield writer.finish()


class GzipStream:
    """An incremental gzip member (what ``--gzip`` expects), one piece at a time."""

    def __init__(self, level: int = 6) -> None:
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits=31: gzip

    def compress(self, chunk: bytes) -> bytes:
        return self._compressor.compress(chunk)

    def flush(self) -> bytes:
        return self._compressor.flush()


def gzip_chunks(chunks: Iterable[bytes], level: int = 6) -> Iterator[bytes]:
    """Gzip a byte stream piece by piece (what ``--gzip`` expects); yields non-empty pieces."""
    stream = GzipStream(level)
    for chunk in chunks:
        if out := stream.compress(chunk):
            yield out
    if tail := stream.flush():
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


class ArchiveReader:
    """Streams an archive: the prelude at construction, then raw documents from ``documents()``.

    Validates as mongorestore does (magic, terminators, BSON lengths, CRCs, every namespace
    finished), without decoding the documents, so a restore can check a large archive, and
    then load it, in constant memory.
    """

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._parser = _Parser(read)
        parser = self._parser
        if parser.read(4, "magic number") != MAGIC:
            raise ArchiveFormatError(
                "stream does not start with the mongodump archive magic number"
            )
        header = parser.doc("archive header")
        if header.get("version") != FORMAT_VERSION:
            raise ArchiveFormatError(f"unsupported archive version {header.get('version')!r}")
        self.server_version = str(header.get("server_version", ""))
        self.namespaces: dict[str, ArchivedNamespace] = {}
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
            self.namespaces[f"{db}.{coll}"] = ArchivedNamespace(
                db, coll, [], metadata, self.server_version, kind
            )

    def documents(self) -> Iterator[tuple[ArchivedNamespace, bytes]]:
        """Each document's raw BSON with its namespace, in archive order; raises
        ArchiveFormatError on a CRC mismatch or an unfinished namespace, after the fact."""
        parser, found = self._parser, self.namespaces
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
                target.count += 1
                yield target, doc
            crcs[name] = crc
        if missing := sorted(found.keys() - closed):
            raise ArchiveFormatError(f"archive ended before namespaces finished: {missing}")


def open_archive(stream: BinaryIO | bytes, *, gzipped: bool = True) -> ArchiveReader:
    """An ArchiveReader over bytes or a binary file, gzip'd (``--gzip``) or not."""
    source: BinaryIO = io.BytesIO(stream) if isinstance(stream, bytes) else stream
    return ArchiveReader(gzip.GzipFile(fileobj=source, mode="rb").read if gzipped else source.read)


def read_archive(stream: BinaryIO | bytes, *, gzipped: bool = True) -> list[ArchivedNamespace]:
    """Parse and validate a whole archive (magic, terminators, CRCs, completeness)."""
    reader = open_archive(stream, gzipped=gzipped)
    for ns, raw in reader.documents():
        ns.documents.append(_decode(raw, f"documents of {ns.db}.{ns.collection}"))
    return list(reader.namespaces.values())


__all__ = [
    "ArchiveFormatError",
    "ArchiveReader",
    "ArchivedNamespace",
    "GzipStream",
    "Namespace",
    "NamespaceWriter",
    "archive_chunks",
    "crc64_ecma",
    "gzip_chunks",
    "open_archive",
    "prelude_bytes",
    "raw_bson",
    "read_archive",
]
