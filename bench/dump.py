"""Dump throughput: the mongodb adapter into a gzip'd archive vs pymongo's own raw read.

``python -m bench.dump`` starts nx-27017 (MongoDB wire protocol over SQLite, in its own
process on loopback), fills it, then reads the same data from the same server both ways:
- ``find_raw_batches``: pymongo's fastest read, batches of raw BSON, nothing decoded or kept;
- the adapter: ``MongoFleet.dump()`` (role checks, metadata, a snapshot session, raw BSON into
  the archive writer, CRC-64, gzip), every archive byte consumed.
Documents/s and MB/s count the BSON documents read. nx-27017 serves far slower than a mongod,
so wall time mostly measures the server; "client CPU" (this process only, the server runs in
another) is what the adapter itself costs per MB. BENCH_QUICK=1 makes it smaller.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import bson
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient

from graphql_api.domain.clusters import NodeHealth, NodeRole
from graphql_api.fleet.base import ClusterAddress
from graphql_api.fleet.mongodb import MongoFleet
from graphql_api.fleet.mongodb_connect import MongoOptions
from tests.nx_server import NxServer

QUICK = os.environ.get("BENCH_QUICK") == "1"
DOCS = 10_000 if QUICK else 40_000
COLLECTIONS = ("orders", "events")
ROUNDS = 3 if QUICK else 5
BATCH = 1000


@dataclass
class Run:
    seconds: float
    documents: int
    bson_bytes: int
    cpu_seconds: float
    archive_bytes: int = 0


def _document(i: int) -> dict[str, object]:
    return {
        "_id": i,
        "customer": f"customer-{i % 997:04d}",
        "placed": datetime(2026, 1, 1, tzinfo=UTC).replace(microsecond=(i % 1000) * 1000),
        "total": i * 1.25,
        "lines": [{"sku": f"SKU-{(i * 7 + k) % 5000:05d}", "qty": k + 1} for k in range(8)],
        "note": "x" * (200 + i % 400),
    }


def seed(uri: str) -> tuple[int, int]:
    """Fill the server; how many documents and BSON bytes it holds."""
    client: MongoClient[RawBSONDocument] = MongoClient(uri, document_class=RawBSONDocument)
    count = size = 0
    with client:
        for name in COLLECTIONS:
            for start in range(0, DOCS // len(COLLECTIONS), BATCH):
                docs = [bson.encode(_document(start + i)) for i in range(BATCH)]
                client.bench[name].insert_many([RawBSONDocument(d) for d in docs])
                count, size = count + len(docs), size + sum(map(len, docs))
    return count, size


def raw_batches(uri: str, documents: int) -> Run:
    client: MongoClient[RawBSONDocument] = MongoClient(uri)
    with client:
        client.admin.command("ping")
        started, cpu, size = time.perf_counter(), time.process_time(), 0
        for name in COLLECTIONS:
            for batch in client.bench[name].find_raw_batches(batch_size=BATCH):
                size += len(batch)  # the documents' bytes, back to back
        return Run(time.perf_counter() - started, documents, size, time.process_time() - cpu)


def adapter(server: NxServer, documents: int, bson_bytes: int) -> Run:
    fleet = MongoFleet(MongoOptions(batch_size=BATCH))
    cluster = ClusterAddress("b" * 24, "bench", "8.0", connection_string=server.uri)
    node = NodeHealth(f"127.0.0.1:{server.port}", NodeRole.SECONDARY, True, 0)

    async def dump() -> Run:
        started, cpu, out = time.perf_counter(), time.process_time(), 0
        async for chunk in fleet.dump(cluster, node, datetime.now(UTC)):
            out += len(chunk)
        elapsed = time.perf_counter() - started
        return Run(elapsed, documents, bson_bytes, time.process_time() - cpu, out)

    return asyncio.run(dump())


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


@dataclass
class DumpRun:
    """Both reads of the same data from the same server, best of the rounds."""

    documents: int
    bson_bytes: int
    rounds: int
    raw: Run
    adapter: Run
    raw_median_s: float
    adapter_median_s: float
    raw_cpu_ms_per_mb: float
    adapter_cpu_ms_per_mb: float

    @property
    def ratio(self) -> float:
        """Adapter throughput over find_raw_batches' (1.0 = as fast as the limit)."""
        return self.raw.seconds / self.adapter.seconds


def _cpu_ms_per_mb(runs: list[Run], bson_bytes: int) -> float:
    return statistics.median(r.cpu_seconds for r in runs) / (bson_bytes / 1e6) * 1000


def measure_dump() -> DumpRun:
    with NxServer(secondary=True) as server:
        documents, bson_bytes = seed(server.uri)
        baseline: list[Run] = []
        ours: list[Run] = []
        runners: list[tuple[list[Run], Callable[[], Run]]] = [
            (baseline, lambda: raw_batches(server.uri, documents)),
            (ours, lambda: adapter(server, documents, bson_bytes)),
        ]
        for i in range(ROUNDS):
            for runs, run in runners if i % 2 == 0 else runners[::-1]:  # alternate the order
                runs.append(run())
    assert all(r.bson_bytes == bson_bytes for r in baseline), "find_raw_batches missed data"
    return DumpRun(
        documents=documents,
        bson_bytes=bson_bytes,
        rounds=ROUNDS,
        raw=best(baseline),
        adapter=best(ours),
        raw_median_s=statistics.median(r.seconds for r in baseline),
        adapter_median_s=statistics.median(r.seconds for r in ours),
        raw_cpu_ms_per_mb=_cpu_ms_per_mb(baseline, bson_bytes),
        adapter_cpu_ms_per_mb=_cpu_ms_per_mb(ours, bson_bytes),
    )


def render(d: DumpRun) -> list[str]:
    def line(name: str, run: Run, median_s: float, cpu: float) -> str:
        return (
            f"| {name} | {run.documents / run.seconds:,.0f} |"
            f" {run.bson_bytes / run.seconds / 1e6:.1f} | {run.seconds:.3f} | {median_s:.3f} |"
            f" {cpu:.1f} |"
        )

    return [
        "### 6. Dump throughput: the MongoDB data plane (`FLEET=mongodb`)",
        "",
        f"nx-27017 (MongoDB wire protocol over SQLite) on loopback, {d.documents:,} documents,"
        f" {d.bson_bytes / 1e6:.1f} MB of BSON; best of {d.rounds} rounds each, the order"
        " alternated, median beside it. The limit is pymongo's own `find_raw_batches` read of"
        " the same data from the same server; ours is `MongoFleet.dump()` (role checks,"
        " metadata, raw BSON into the archive, CRC-64, gzip), every archive byte consumed."
        " nx-27017 serves far slower than a mongod, so wall time mostly measures the server;"
        " client CPU per MB is what the adapter itself costs.",
        "",
        "| read | documents/s | MB/s (BSON) | best s | median s | client CPU ms/MB |",
        "|---|---:|---:|---:|---:|---:|",
        line("pymongo find_raw_batches (the limit)", d.raw, d.raw_median_s, d.raw_cpu_ms_per_mb),
        line(
            "MongoFleet.dump -> gzip'd archive",
            d.adapter,
            d.adapter_median_s,
            d.adapter_cpu_ms_per_mb,
        ),
        "",
        f"Adapter / `find_raw_batches`: **{d.ratio:.2f}x**; archive"
        f" {d.adapter.archive_bytes / 1e6:.1f} MB gzip'd"
        f" ({d.adapter.archive_bytes / d.bson_bytes:.0%} of the BSON).",
    ]


def main() -> None:
    print("\n".join(render(measure_dump())))


if __name__ == "__main__":
    main()
