"""The mongodump archive writer/reader: exact layout, CRC, streaming, corruption handling."""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import bson
import pytest
from bson import ObjectId
from bson.int64 import Int64

from graphql_api.fleet.archive import (
    ArchiveFormatError,
    Namespace,
    archive_chunks,
    crc64_ecma,
    gzip_chunks,
    read_archive,
)
from tests.spec_reader import SpecError, read_by_spec

MAGIC = bytes.fromhex("6de29981")  # 0x8199e26d, little-endian
TERM = b"\xff\xff\xff\xff"
OID = ObjectId("65a1b2c3d4e5f60718293a4b")
WHEN = datetime(2026, 11, 20, 12, 30, 15, 123000)  # BSON datetimes are milliseconds


def _crc64_bitwise(data: bytes) -> int:
    """Independent bit-at-a-time CRC-64/XZ (Go's crc64 with the ECMA table)."""
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xC96C5795D7870F42 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFFFFFFFFFF


def _int64(crc: int) -> Int64:
    return Int64(crc - (1 << 64) if crc >= 1 << 63 else crc)


def _sample() -> list[Namespace]:
    users = [
        {"_id": OID, "name": "Zoë Ωmega 東京", "created": WHEN, "tags": ["a", "ß"]},
        {"_id": 2, "profile": {"address": {"city": "Zürich", "zip": "8001"}, "n": [1, 2.5]}},
        {"_id": "three", "big": 2**40, "none": None, "flag": True},
    ]
    return [
        Namespace("app", "users", users, indexes=[{"v": 2, "key": {"_id": 1}, "name": "_id_"}]),
        Namespace("app", "empty", []),
        Namespace("logs", "events", ({"_id": i, "at": WHEN} for i in range(50))),
    ]


def _raw(namespaces: list[Namespace], **kwargs: Any) -> bytes:
    return b"".join(archive_chunks(namespaces, **kwargs))


def test_round_trip_several_namespaces() -> None:
    data = b"".join(gzip_chunks(archive_chunks(_sample(), server_version="7.0.12")))
    got = {(n.db, n.collection): n for n in read_archive(data)}
    assert list(got) == [("app", "users"), ("app", "empty"), ("logs", "events")]
    users = got["app", "users"].documents
    assert users[0] == {"_id": OID, "name": "Zoë Ωmega 東京", "created": WHEN, "tags": ["a", "ß"]}
    assert users[1]["profile"]["address"]["city"] == "Zürich"
    assert users[2] == {"_id": "three", "big": 2**40, "none": None, "flag": True}
    assert got["app", "empty"].documents == []
    assert [d["_id"] for d in got["logs", "events"].documents] == list(range(50))
    assert got["app", "users"].server_version == "7.0.12"
    assert got["app", "empty"].metadata == {
        "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}],
        "collectionName": "empty",
        "type": "collection",
    }


def test_exact_layout_of_a_small_archive() -> None:
    doc = {"_id": 1, "x": "é"}
    raw = _raw([Namespace("db", "c", [doc])], server_version="8.0.4", tool_version="100.10.0")
    metadata = (
        '{"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],'
        '"collectionName":"c","type":"collection"}'
    )
    body = bson.encode(doc)
    expected = (
        MAGIC
        + bson.encode(
            {
                "concurrent_collections": 1,
                "version": "0.1",
                "server_version": "8.0.4",
                "tool_version": "100.10.0",
            }
        )
        + bson.encode(
            {"db": "db", "collection": "c", "metadata": metadata, "size": 0, "type": "collection"}
        )
        + TERM
        + bson.encode({"db": "db", "collection": "c", "EOF": False, "CRC": Int64(0)})
        + body
        + TERM
        + bson.encode(
            {"db": "db", "collection": "c", "EOF": True, "CRC": _int64(_crc64_bitwise(body))}
        )
        + TERM
    )
    assert raw == expected


def test_empty_collection_gets_only_its_eof_block() -> None:
    """The spec's grammar has no document-less segment: an empty collection is named in the
    prelude and closed by its EOF block, with no namespace header before it."""
    raw = _raw([Namespace("db", "full", [{"_id": 1}]), Namespace("db", "nothing", [])])
    header = bson.encode({"db": "db", "collection": "nothing", "EOF": False, "CRC": Int64(0)})
    eof = bson.encode({"db": "db", "collection": "nothing", "EOF": True, "CRC": Int64(0)})
    assert header not in raw
    full_eof_end = raw.index(b"full\x00\x08EOF\x00\x01")
    assert raw[full_eof_end:].endswith(TERM + eof + TERM)
    assert raw.count(eof) == 1
    assert b"nothing" in raw[: raw.index(TERM)]  # named in the prelude
    [_, empty] = read_archive(raw, gzipped=False)
    assert empty.collection == "nothing" and empty.documents == []


def test_magic_number_at_start() -> None:
    first = next(archive_chunks(_sample()))
    assert first[:4] == MAGIC == struct.pack("<I", 0x8199E26D)


def test_gzip_output_is_plain_gzip() -> None:
    raw = _raw(_sample())
    pieces = list(gzip_chunks(archive_chunks(_sample())))
    assert pieces and all(pieces)
    assert pieces[0][:2] == b"\x1f\x8b"
    assert gzip.decompress(b"".join(pieces)) == raw


def test_crc64_ecma_matches_go() -> None:
    assert crc64_ecma(b"123456789") == 0x995DC9BBDF1939FA  # Go: crc64.Checksum(_, ECMA)
    assert crc64_ecma(b"") == 0
    data = os.urandom(3000)
    assert crc64_ecma(data) == _crc64_bitwise(data)
    assert crc64_ecma(data[1000:], crc64_ecma(data[:1000])) == crc64_ecma(data)  # chainable


def test_eof_crc_covers_all_document_bytes() -> None:
    docs = [{"_id": i, "payload": "x" * (i * 37), "when": WHEN} for i in range(300)]
    raw = _raw([Namespace("db", "c", docs)], chunk_size=4096)
    crc = _crc64_bitwise(b"".join(bson.encode(d) for d in docs))
    eof = bson.encode({"db": "db", "collection": "c", "EOF": True, "CRC": _int64(crc)})
    assert raw.endswith(TERM + eof + TERM)


def test_large_documents() -> None:
    big = {"_id": 1, "blob": b"\x00\x01" * (3 * 1024 * 1024), "s": "ü" * 500_000}
    [ns] = read_archive(_raw([Namespace("db", "big", [big, {"_id": 2}])]), gzipped=False)
    assert ns.documents[0] == big and ns.documents[1] == {"_id": 2}
    with pytest.raises(ValueError, match="16 MiB"):
        _raw([Namespace("db", "huge", [{"_id": 1, "blob": b"x" * (16 * 1024 * 1024)}])])


def test_streams_lazily_from_a_generator() -> None:
    produced = 0

    def docs() -> Iterator[dict[str, Any]]:
        nonlocal produced
        for i in range(10_000):
            produced += 1
            yield {"_id": i, "name": f"user-{i}", "score": i * 3}

    chunks = archive_chunks([Namespace("db", "many", docs())])
    next(chunks)  # the prelude: no document read yet
    assert produced == 0
    next(chunks)
    assert 0 < produced < 10_000  # one piece at a time, not the whole collection
    rest = list(chunks)
    assert len(rest) > 5 and max(len(c) for c in rest) < 128 * 1024
    assert produced == 10_000


def test_reads_from_a_binary_stream(tmp_path: Path) -> None:
    path = tmp_path / "dump.archive.gz"
    path.write_bytes(b"".join(gzip_chunks(archive_chunks(_sample()))))
    with path.open("rb") as fh:
        assert len(read_archive(fh)) == 3


def test_bad_magic_rejected() -> None:
    raw = _raw(_sample())
    with pytest.raises(ArchiveFormatError, match="magic"):
        read_archive(b"\x00\x00\x00\x00" + raw[4:], gzipped=False)
    with pytest.raises(ArchiveFormatError):
        read_archive(b"not gzip at all")


def test_every_truncation_rejected() -> None:
    raw = _raw([Namespace("db", "a", [{"_id": 1}, {"_id": 2}]), Namespace("db", "b", [])])
    for cut in range(len(raw)):
        with pytest.raises(ArchiveFormatError):
            read_archive(raw[:cut], gzipped=False)
    gz = b"".join(gzip_chunks([raw]))
    with pytest.raises(ArchiveFormatError):
        read_archive(gz[: len(gz) // 2])


def test_wrong_crc_rejected() -> None:
    doc = {"_id": 1, "v": "value"}
    raw = _raw([Namespace("db", "c", [doc])])
    crc = _int64(_crc64_bitwise(bson.encode(doc)))
    good = bson.encode({"db": "db", "collection": "c", "EOF": True, "CRC": crc})
    bad = bson.encode({"db": "db", "collection": "c", "EOF": True, "CRC": Int64(crc + 1)})
    assert raw.count(good) == 1
    with pytest.raises(ArchiveFormatError, match="CRC mismatch"):
        read_archive(raw.replace(good, bad), gzipped=False)
    flipped = raw.replace(b"value", b"valuf")  # data corrupted, header intact
    with pytest.raises(ArchiveFormatError, match="CRC mismatch"):
        read_archive(flipped, gzipped=False)


def test_garbage_lengths_and_missing_terminators_rejected() -> None:
    raw = _raw([Namespace("db", "c", [{"_id": 1}])])
    prelude_end = raw.index(TERM) + 4
    with pytest.raises(ArchiveFormatError, match="neither a BSON length"):
        read_archive(raw[:prelude_end] + b"\x03\x00\x00\x00" + raw[prelude_end:], gzipped=False)
    with pytest.raises(ArchiveFormatError, match="terminator"):
        read_archive(raw[:prelude_end] + TERM + raw[prelude_end:], gzipped=False)
    with pytest.raises(ArchiveFormatError):
        read_archive(raw + b"\x01", gzipped=False)  # trailing junk


def test_duplicate_namespace_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        _raw([Namespace("db", "c", []), Namespace("db", "c", [])])


@pytest.mark.skipif(shutil.which("mongorestore") is None, reason="mongorestore not installed")
def test_mongorestore_accepts_the_archive(tmp_path: Path) -> None:
    """Needs a reachable server too (MONGODB_URI, default localhost); --dryRun writes nothing."""
    path = tmp_path / "dump.archive.gz"
    path.write_bytes(b"".join(gzip_chunks(archive_chunks(_sample()))))
    uri = os.environ.get("MONGODB_URI", "mongodb://localhost:27017")
    cmd = [str(shutil.which("mongorestore")), f"--uri={uri}", f"--archive={path}", "--gzip"]
    result = subprocess.run(  # noqa: S603  (fixed argv, no shell)
        [*cmd, "--dryRun", "-v"], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0 and "connect" in result.stderr.lower():
        pytest.skip(f"no MongoDB server for mongorestore: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    assert "corruption" not in result.stderr and "CRC mismatch" not in result.stderr


@pytest.mark.parametrize("chunk_size", [64, 4096, 64 * 1024])
def test_independent_spec_reader_accepts_the_writer(chunk_size: int) -> None:
    """tests/spec_reader.py follows mongo-tools' spec.md, sharing no code with the writer."""
    namespaces = _sample()
    expected = {
        f"{ns.db}.{ns.collection}": [bson.encode(d) for d in ns.documents] for ns in _sample()
    }
    raw = _raw(namespaces, server_version="7.0.12", chunk_size=chunk_size)
    header, found = read_by_spec(raw)
    assert header == {
        "concurrent_collections": 1,
        "version": "0.1",
        "server_version": "7.0.12",
        "tool_version": "100.10.0",
    }
    assert list(found) == ["app.users", "app.empty", "logs.events"]
    for name, ns in found.items():
        assert ns.documents == expected[name]
        assert ns.segments == (1 if expected[name] else 0)  # empty: its EOF block alone
        assert ns.metadata["type"] == "collection" and ns.metadata["size"] == 0
    assert '"collectionName":"users"' in str(found["app.users"].metadata["metadata"])


def test_independent_spec_reader_rejects_what_the_spec_forbids() -> None:
    good = _raw([Namespace("db", "c", [{"_id": 1}])])
    read_by_spec(good)
    header = bson.encode({"db": "db", "collection": "c", "EOF": False, "CRC": Int64(0)})
    empty_segment = good.replace(header + bson.encode({"_id": 1}), header)
    with pytest.raises(SpecError, match="at least one document"):
        read_by_spec(empty_segment)
    with pytest.raises(SpecError, match="CRC"):
        read_by_spec(good.replace(bson.encode({"_id": 1}), bson.encode({"_id": 2})))
    with pytest.raises(SpecError, match="without namespace-eof"):
        read_by_spec(good[: good.index(header) + len(header) + 14 + 4])
