"""FLEET=mongodb against wire-protocol stand-ins (no mongod here).

mockupdb (tests/mockup_rs.py) scripts a three-member replica set and records every command
each member receives: where commands go, roles, health, lag, failover. nx-27017
(tests/nx_server.py, MongoDB over SQLite) stores real data: dump -> restore -> compare, byte
for byte. nx-27017 answers ok to things it does not do, so these tests check the data itself.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import bson
import pytest
from bson import Binary, Code, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from bson.datetime_ms import DatetimeMS
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient

from graphql_api.domain.clusters import NodeHealth, NodeRole, pick_snapshot_source
from graphql_api.fleet.archive import Namespace, archive_chunks, gzip_chunks, open_archive
from graphql_api.fleet.base import ArchiveInfo, ClusterAddress, FleetError
from graphql_api.fleet.mongodb import MongoFleet
from graphql_api.fleet.mongodb_connect import MongoOptions
from tests.mockup_rs import CLUSTER_TIME, FakeReplicaSet
from tests.nx_server import NxServer
from tests.spec_reader import read_by_spec

FAST = MongoOptions(
    connect_timeout=1.0, server_selection_timeout=1.0, status_timeout=3.0, batch_size=50
)
WHEN = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
PASSWORD = "s3cret-Pa55word"

# Every BSON type. nx-27017 keeps only the first group byte for byte (see NX_CANNOT_STORE).
NX_STORES = {
    "double": 2.5,
    "string": "Zoë Ωmega 東京",
    "document": {"a": {"b": [1, {"c": None}]}, "z": 1},
    "array": [1, "two", 3.0, {"four": 4}, []],
    "binary": Binary(b"\x00\x01\xfe\xff", 0),
    "objectid": ObjectId("65a1b2c3d4e5f60718293a4b"),
    "bool": False,
    "datetime": datetime(2026, 11, 20, 12, 30, 15, 123000),
    "null": None,
    "int32": -(2**31),
    "int64": Int64(2**53 + 1),
}
NX_CANNOT_STORE = {  # what nx-27017 0.8.1 does with them (found by trying)
    "uuid_subtype4": Binary(uuid.UUID(int=0x1234).bytes, 4),  # read back as subtype 0
    "uuid_subtype3": Binary(b"0123456789abcdef", 3),  # read back as subtype 0
    "code": Code("function () { return 1; }"),  # read back as a string
    "int64_small": Int64(7),  # read back as int32
    "regex": Regex("^a.*z$", "im"),  # insert refused: not JSON serializable
    "timestamp": Timestamp(1_700_000_000, 7),  # refused
    "decimal128": Decimal128("1234.5678901234567890"),  # refused
    "minkey": MinKey(),  # refused
    "maxkey": MaxKey(),  # refused
    "datetime_past_9999": DatetimeMS(253_402_300_800_000 + 86_400_000),  # breaks the wire
}


def every_type_documents() -> list[bytes]:
    values = NX_STORES | NX_CANNOT_STORE
    return [bson.encode({"_id": i, "type": k, "v": v}) for i, (k, v) in enumerate(values.items())]


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


def raw_namespaces(archive: bytes) -> dict[str, list[bytes]]:
    reader = open_archive(archive)
    found: dict[str, list[bytes]] = {name: [] for name in reader.namespaces}
    for ns, raw in reader.documents():
        found[f"{ns.db}.{ns.collection}"].append(raw)
    return found


def address(seed_list: str, name: str = "flex-test") -> ClusterAddress:
    return ClusterAddress(
        id=hashlib.sha1(name.encode()).hexdigest()[:24],  # noqa: S324  (an id, not security)
        name=name,
        mongodb_version="7.0",
        connection_string=seed_list,
        username=None,
        password=None,
    )


# --- mockupdb: where every command goes ------------------------------------------------------


@pytest.fixture(scope="module")
def rs_servers() -> Iterator[FakeReplicaSet]:
    rs = FakeReplicaSet()
    yield rs
    rs.stop()


@pytest.fixture
def rs(rs_servers: FakeReplicaSet) -> Iterator[FakeReplicaSet]:
    """The module's replica set, reset: member 0 primary, 1 and 2 healthy secondaries."""
    rs = rs_servers
    for i, host in enumerate(rs.hosts):
        rs.roles[host] = "PRIMARY" if i == 0 else "SECONDARY"
        rs.health[host] = 1
    rs.lag(rs.hosts[0], 0)
    rs.lag(rs.hosts[1], 2500)
    rs.lag(rs.hosts[2], 700)
    rs.status_reply = None
    rs.snapshot_error = None
    rs.after_find = lambda host, coll: None
    rs.data = {
        ("app", "types"): every_type_documents(),
        ("app", "empty"): [],
        ("logs", "events"): [bson.encode({"_id": i, "at": WHEN}) for i in range(7)],
    }
    rs.uuids = {("app", "types"): Binary(uuid.UUID(int=0xABCDEF).bytes, 4)}
    rs.options = {("logs", "events"): {"capped": True, "size": 4096}}
    rs.indexes = {
        ("app", "types"): [
            {"v": 2, "key": {"_id": 1}, "name": "_id_"},
            {"v": 2, "key": {"type": 1, "v": -1}, "name": "type_1_v_-1", "unique": True},
        ]
    }
    rs.forget()
    yield rs


async def test_health_and_lag_come_from_replsetgetstatus(rs: FakeReplicaSet) -> None:
    fleet = MongoFleet(FAST)
    cluster = address(rs.seed_list)
    nodes = (await fleet.nodes([cluster]))[cluster.id]
    assert nodes.unreachable is None
    got = {n.hostname: (n.role, n.healthy, n.replication_lag_ms) for n in nodes.nodes}
    assert got == {
        rs.hosts[0]: (NodeRole.PRIMARY, True, 0),
        rs.hosts[1]: (NodeRole.SECONDARY, True, 2500),
        rs.hosts[2]: (NodeRole.SECONDARY, True, 700),
    }
    assert pick_snapshot_source(nodes.nodes).hostname == rs.hosts[2]  # type: ignore[union-attr]

    rs.health[rs.hosts[2]] = 0  # the least lagged one goes DOWN: the other secondary it is
    rs.lag(rs.hosts[1], 40)
    nodes = (await fleet.nodes([cluster]))[cluster.id]
    down = next(n for n in nodes.nodes if n.hostname == rs.hosts[2])
    assert not down.healthy
    assert pick_snapshot_source(nodes.nodes).hostname == rs.hosts[1]  # type: ignore[union-attr]
    assert {n.replication_lag_ms for n in nodes.nodes if n.hostname == rs.hosts[1]} == {40}


async def test_unreachable_clusters_are_reported_and_do_not_fail_the_others(
    rs: FakeReplicaSet, caplog: pytest.LogCaptureFixture
) -> None:
    fleet = MongoFleet(FAST)
    good = address(rs.seed_list, "good")
    gone = ClusterAddress(
        "0" * 24, "gone", "7.0", "mongodb://127.0.0.1:9/?replicaSet=rs9", "admin", PASSWORD
    )
    caplog.set_level(logging.WARNING, logger="graphql_api.fleet")
    found = await fleet.nodes([gone, good])
    assert found[gone.id].nodes == () and found[gone.id].unreachable
    assert len(found[good.id].nodes) == 3 and found[good.id].unreachable is None
    message = found[gone.id].unreachable or ""
    assert message.endswith(".") and "Traceback" not in message
    for secret_or_path in (PASSWORD, "127.0.0.1:9", "/"):
        assert secret_or_path not in message
    assert PASSWORD not in caplog.text
    assert "gone" in caplog.text  # the driver's detail went to the log instead


async def test_a_status_without_members_is_a_reason_not_a_crash(rs: FakeReplicaSet) -> None:
    rs.status_reply = {"ok": 1}  # nx-27017's replSetGetStatus
    cluster = address(rs.seed_list)
    nodes = (await MongoFleet(FAST).nodes([cluster]))[cluster.id]
    assert nodes.unreachable == "The cluster did not report its replica set members."


async def test_dump_sends_nothing_to_the_primary(rs: FakeReplicaSet) -> None:
    fleet = MongoFleet(FAST)
    cluster = address(rs.seed_list)
    source = pick_snapshot_source((await fleet.nodes([cluster]))[cluster.id].nodes)
    assert source is not None and source.hostname == rs.hosts[2]
    rs.forget()

    archive = await collect(fleet.dump(cluster, source, WHEN))

    primary, other, chosen = rs.hosts
    assert rs.seen[primary] == [] and rs.seen[other] == []  # not even a handshake
    commands = rs.commands(chosen)
    for name in ("listDatabases", "listCollections", "listIndexes", "find", "getMore"):
        assert name in commands, name
    assert next(c for c in commands if c != "ismaster") == "hello"  # role checked first
    finds = [d for d in rs.seen[chosen] if "find" in d]
    assert all(d["readConcern"]["level"] == "snapshot" for d in finds)
    assert all(d["readConcern"]["atClusterTime"] == CLUSTER_TIME for d in finds[1:])

    by_name = raw_namespaces(archive)
    assert by_name["app.types"] == every_type_documents()  # raw BSON, byte for byte
    assert by_name["app.empty"] == []
    assert len(by_name["logs.events"]) == 7
    _, spec = read_by_spec(gzip.decompress(archive))
    assert spec["app.empty"].segments == 0 and spec["app.types"].segments == 1
    meta = open_archive(archive).namespaces
    assert meta["app.types"].metadata["uuid"] == uuid.UUID(int=0xABCDEF).hex
    assert meta["app.types"].metadata["indexes"][1]["key"] == {"type": 1, "v": -1}
    assert meta["logs.events"].metadata["options"] == {"capped": True, "size": 4096}
    assert "uuid" not in meta["logs.events"].metadata
    assert meta["app.types"].server_version == "7.0.14"


async def test_a_secondary_that_becomes_primary_midway_is_refused(rs: FakeReplicaSet) -> None:
    fleet = MongoFleet(FAST)
    cluster = address(rs.seed_list)
    chosen = rs.hosts[1]
    node = NodeHealth(chosen, NodeRole.SECONDARY, True, 0)

    def failover(host: str, coll: str) -> None:
        if coll == "empty":  # the first collection read; "types" comes next
            rs.roles[rs.hosts[0]], rs.roles[chosen] = "SECONDARY", "PRIMARY"

    rs.after_find = failover
    with pytest.raises(FleetError, match="has become the primary"):
        await collect(fleet.dump(cluster, node, WHEN))
    seen = rs.seen[chosen]
    flipped_at = max(i for i, d in enumerate(seen) if d.get("find") == "empty")
    after = [next(iter(d)) for d in seen[flipped_at + 1 :]]
    assert "find" not in after and "getMore" not in after  # nothing more was read
    assert after[0] == "hello"


async def test_snapshot_reads_fall_back_when_the_server_refuses_them(rs: FakeReplicaSet) -> None:
    rs.snapshot_error = {"ok": 0, "code": 72, "codeName": "InvalidOptions", "errmsg": "no"}
    node = NodeHealth(rs.hosts[2], NodeRole.SECONDARY, True, 0)
    archive = await collect(MongoFleet(FAST).dump(address(rs.seed_list), node, WHEN))
    assert raw_namespaces(archive)["app.types"] == every_type_documents()
    finds = [d for d in rs.seen[rs.hosts[2]] if "find" in d]
    assert "readConcern" in finds[0] and all("readConcern" not in d for d in finds[1:])


async def test_dump_refuses_the_primary_before_connecting(rs: FakeReplicaSet) -> None:
    node = NodeHealth(rs.hosts[0], NodeRole.PRIMARY, True, 0)
    with pytest.raises(FleetError, match="secondaries only"):
        await collect(MongoFleet(FAST).dump(address(rs.seed_list), node, WHEN))
    assert rs.seen[rs.hosts[0]] == []


# --- nx-27017: real storage, dump -> restore -> compare ---------------------------------------


@pytest.fixture(scope="module")
def nx_source() -> Iterator[NxServer]:
    with NxServer(secondary=True) as server:
        yield server


@pytest.fixture(scope="module")
def nx_target() -> Iterator[NxServer]:
    with NxServer() as server:
        yield server


def snapshot_of(uri: str) -> dict[str, list[bytes]]:
    """Every user collection's raw documents (sorted bytes: nx-27017 sorts _id as text)."""
    client: MongoClient[RawBSONDocument] = MongoClient(uri, document_class=RawBSONDocument)
    with client:
        return {
            f"{db}.{coll}": sorted(d.raw for d in client[db][coll].find())
            for db in client.list_database_names()
            if db not in ("admin", "local", "config")
            for coll in client[db].list_collection_names()
        }


def index_shapes(uri: str) -> dict[str, set[tuple[tuple[str, ...], bool]]]:
    """Index key fields and uniqueness (nx-27017 renames indexes and drops directions)."""
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    with client:
        return {
            f"{db}.{coll}": {
                (tuple(ix["key"]), bool(ix.get("unique")))  # type: ignore[arg-type]
                for ix in client[db][coll].list_indexes()
            }
            for db in client.list_database_names()
            if db not in ("admin", "local", "config")
            for coll in client[db].list_collection_names()
        }


@pytest.fixture(scope="module")
def seeded(nx_source: NxServer) -> dict[str, list[bytes]]:
    client: MongoClient[RawBSONDocument] = MongoClient(
        nx_source.uri, document_class=RawBSONDocument
    )
    with client:
        stored = [
            RawBSONDocument(bson.encode({"_id": i, "type": k, "v": v}))
            for i, (k, v) in enumerate(NX_STORES.items())
        ]
        client.app.types.insert_many(stored)
        client.app.users.insert_many(
            [
                RawBSONDocument(bson.encode({"_id": i, "email": f"u{i}@x.test", "n": i % 7}))
                for i in range(1, 301)
            ]
        )
        client.app.users.create_index("email", unique=True)
        client.app.users.create_index([("n", 1), ("email", 1)])
        client.app.create_collection("empty")
        client.shop.orders.insert_many(
            [
                RawBSONDocument(bson.encode({"_id": f"o{i:03d}", "total": i * 1.5}))
                for i in range(40)
            ]
        )
    found = snapshot_of(nx_source.uri)
    assert found["app.types"] == sorted(d.raw for d in stored)  # what nx-27017 stores, it keeps
    return found


def secondary_of(server: NxServer) -> NodeHealth:
    return NodeHealth(f"127.0.0.1:{server.port}", NodeRole.SECONDARY, True, 0)


def put_other_data(uri: str) -> dict[str, list[bytes]]:
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    with client:
        for db in client.list_database_names():
            if db not in ("admin", "local", "config"):
                client.drop_database(db)
        client.app.users.insert_many([{"_id": 1, "email": "before@x.test"}, {"_id": 99}])
        client.legacy.stuff.insert_one({"_id": "keep-me-unless-restored"})
    return snapshot_of(uri)


async def test_dump_restore_compare_byte_for_byte(
    seeded: dict[str, list[bytes]], nx_source: NxServer, nx_target: NxServer
) -> None:
    fleet = MongoFleet(FAST)
    archive = await collect(fleet.dump(address(nx_source.uri), secondary_of(nx_source), WHEN))
    assert {name: sorted(docs) for name, docs in raw_namespaces(archive).items()} == seeded
    put_other_data(nx_target.uri)
    seen: list[int] = []

    async def progress(done: int) -> None:
        seen.append(done)

    async def stream() -> AsyncIterator[bytes]:
        for i in range(0, len(archive), 1000):
            yield archive[i : i + 1000]

    info = ArchiveInfo("f" * 24, hashlib.sha256(archive).hexdigest(), len(archive))
    await fleet.restore(address(nx_target.uri, "target"), stream(), info, progress)

    assert snapshot_of(nx_target.uri) == seeded  # legacy.* is gone: the data was replaced
    assert index_shapes(nx_target.uri) == index_shapes(nx_source.uri)
    assert ("email",) in {k for k, unique in index_shapes(nx_target.uri)["app.users"] if unique}
    assert seen == sorted(seen) and seen[-1] == len(archive)


def bad_archives(good: bytes) -> dict[str, bytes]:
    half = good[: len(good) // 2]
    duplicate = b"".join(
        gzip_chunks(archive_chunks([Namespace("app", "users", [{"_id": 1}, {"_id": 1}])]))
    )
    return {"cut halfway": half, "insert fails": duplicate}


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("cut halfway", "does not match the snapshot's SHA-256"),
        ("cut halfway, SHA of the cut", "archive is damaged"),
        ("insert fails", "while loading the archive into staging"),
    ],
)
async def test_a_failed_restore_leaves_the_target_unchanged(
    case: str, reason: str, seeded: dict[str, list[bytes]], nx_source: NxServer, nx_target: NxServer
) -> None:
    fleet = MongoFleet(FAST)
    good = await collect(fleet.dump(address(nx_source.uri), secondary_of(nx_source), WHEN))
    archive = bad_archives(good)[case.split(",")[0]]
    before = put_other_data(nx_target.uri)
    # a cut stream fails the SHA-256 of the full archive; with the cut's own SHA, the CRC and
    # structure checks refuse it; a duplicate _id passes both and fails in staging
    sha = hashlib.sha256(good if case == "cut halfway" else archive).hexdigest()

    async def stream() -> AsyncIterator[bytes]:
        yield archive

    async def progress(done: int) -> None:
        pass

    info = ArchiveInfo("e" * 24, sha, 0)
    with pytest.raises(FleetError) as failed:
        await fleet.restore(address(nx_target.uri, "target"), stream(), info, progress)
    message = str(failed.value)
    assert reason in message, message
    assert "not changed" in message or "nothing was restored" in message
    assert "/" not in message and "Traceback" not in message
    assert snapshot_of(nx_target.uri) == before
    client: MongoClient[dict[str, object]] = MongoClient(nx_target.uri)
    with client:
        assert not [d for d in client.list_database_names() if d.startswith("flexrestore_")]
