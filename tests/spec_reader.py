"""An archive reader written from mongo-tools' ``common/archive/spec.md`` alone, to judge the
writer with something that does not share its code:

    archive = magic-number, header, *collection-metadata, terminator-bytes,
              *(namespace-segment | namespace-eof)
    namespace-segment = namespace-header, namespace-data, terminator-bytes
    namespace-data = +document
    namespace-eof = eof-header, terminator-bytes

Field types are checked on the wire (BSON element type bytes), and the CRC is a bit-at-a-time
CRC-64/ECMA as Go's hash/crc64 computes it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAGIC = 0x8199E26D
TERMINATOR = 0xFFFFFFFF
INT32, INT64, STRING, BOOL = 0x10, 0x12, 0x02, 0x08
HEADER = {"concurrent_collections": INT32, "version": STRING, "server_version": STRING}
HEADER |= {"tool_version": STRING}
METADATA = {"db": STRING, "collection": STRING, "metadata": STRING, "size": INT32, "type": STRING}
NS_HEADER = {"db": STRING, "collection": STRING, "EOF": BOOL, "CRC": INT64}


def crc64_go_ecma(data: bytes) -> int:
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xC96C5795D7870F42 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFFFFFFFFFF


class SpecError(AssertionError):
    pass


def _elements(doc: bytes) -> dict[str, tuple[int, object]]:
    """Top-level elements of the few types the spec uses: name -> (type byte, value)."""
    out: dict[str, tuple[int, object]] = {}
    pos = 4
    while doc[pos] != 0:
        kind = doc[pos]
        end = doc.index(b"\x00", pos + 1)
        name = doc[pos + 1 : end].decode()
        pos = end + 1
        value: object
        if kind == INT32:
            (value,), pos = struct.unpack_from("<i", doc, pos), pos + 4
        elif kind == INT64:
            (value,), pos = struct.unpack_from("<Q", doc, pos), pos + 8  # Go writes the uint64
        elif kind == BOOL:
            value, pos = doc[pos] == 1, pos + 1
        elif kind == STRING:
            (size,) = struct.unpack_from("<i", doc, pos)
            value, pos = doc[pos + 4 : pos + 4 + size - 1].decode(), pos + 4 + size
        else:
            raise SpecError(f"field {name!r} has BSON type {kind:#x}, not one the spec names")
        out[name] = (kind, value)
    return out


def _typed(doc: bytes, schema: dict[str, int], what: str) -> dict[str, object]:
    fields = _elements(doc)
    if set(fields) != set(schema):
        raise SpecError(f"{what} has fields {sorted(fields)}, the spec says {sorted(schema)}")
    for name, kind in schema.items():
        if fields[name][0] != kind:
            raise SpecError(f"{what}.{name} has type {fields[name][0]:#x}, not {kind:#x}")
    return {name: value for name, (_, value) in fields.items()}


@dataclass
class SpecNamespace:
    metadata: dict[str, object]
    documents: list[bytes] = field(default_factory=list)
    segments: int = 0
    eof_crc: int | None = None


class _Stream:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def uint32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise SpecError("archive ends inside a length or terminator")
        return int(struct.unpack_from("<I", self.data, self.pos)[0])

    def terminator(self) -> bool:
        if self.uint32() == TERMINATOR:
            self.pos += 4
            return True
        return False

    def document(self) -> bytes:
        size = self.uint32()
        if size < 5 or self.pos + size > len(self.data) or self.data[self.pos + size - 1] != 0:
            raise SpecError(f"no BSON document at offset {self.pos}")
        doc, self.pos = self.data[self.pos : self.pos + size], self.pos + size
        return doc


def read_by_spec(data: bytes) -> tuple[dict[str, object], dict[str, SpecNamespace]]:
    """The header and each namespace (``db.collection``) of an uncompressed archive."""
    s = _Stream(data)
    if s.uint32() != MAGIC:
        raise SpecError("no magic number")
    s.pos = 4
    header = _typed(s.document(), HEADER, "header")
    namespaces: dict[str, SpecNamespace] = {}
    while not s.terminator():
        meta = _typed(s.document(), METADATA, "collection-metadata")
        namespaces[f"{meta['db']}.{meta['collection']}"] = SpecNamespace(meta)
    while s.pos < len(data):
        head = _typed(s.document(), NS_HEADER, "namespace header")
        ns = namespaces.get(f"{head['db']}.{head['collection']}")
        if ns is None or ns.eof_crc is not None:
            raise SpecError(f"block for an unknown or finished namespace: {head}")
        if head["EOF"]:
            ns.eof_crc = int(head["CRC"])  # type: ignore[call-overload]
            if not s.terminator():
                raise SpecError("eof-header not followed by terminator-bytes")
            if ns.eof_crc != crc64_go_ecma(b"".join(ns.documents)):
                raise SpecError(f"CRC of {head['db']}.{head['collection']} is wrong")
            continue
        if head["CRC"] != 0:
            raise SpecError("a namespace-header's CRC must be 0")
        first = True
        while not s.terminator():
            ns.documents.append(s.document())
            first = False
        if first:
            raise SpecError("namespace-data must hold at least one document")
        ns.segments += 1
    if unfinished := [n for n, ns in namespaces.items() if ns.eof_crc is None]:
        raise SpecError(f"namespaces without namespace-eof: {unfinished}")
    return header, namespaces
