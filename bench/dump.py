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


def line(name: str, run: Run, runs: list[Run]) -> str:
    spread = statistics.median(r.seconds for r in runs)
    cpu_per_mb = statistics.median(r.cpu_seconds for r in runs) / (run.bson_bytes / 1e6) * 1000
    return (
        f"| {name} | {run.documents / run.seconds:,.0f} | {run.bson_bytes / run.seconds / 1e6:.1f}"
        f" | {run.seconds:.3f} | {spread:.3f} | {cpu_per_mb:.1f} |"
    )


def main() -> None:
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
        b, o = best(baseline), best(ours)
        print(f"nx-27017 on loopback, {documents:,} documents, {bson_bytes / 1e6:.1f} MB of BSON,")
        print(f"best of {ROUNDS} rounds each (order alternated); median seconds beside it.\n")
        print("| read | documents/s | MB/s (BSON) | best s | median s | client CPU ms/MB |")
        print("|---|---|---|---|---|---|")
        print(line("pymongo find_raw_batches", b, baseline))
        print(line("MongoFleet.dump -> gzip'd archive", o, ours))
        print(f"\nadapter / find_raw_batches: {b.seconds / o.seconds:.2f}x")
        print(
            f"archive: {o.archive_bytes / 1e6:.1f} MB gzip'd ({o.archive_bytes / bson_bytes:.0%})"
        )


if __name__ == "__main__":
    main()
