"""Benchmark knobs in one place, so the full and quick runs differ only here.

BENCH_QUICK=1 (or ``python -m bench --quick``) shortens every load run and
shrinks every size, for iterating on the bench itself. BENCH_TICK_100K=1 (or
``--tick-100k``) adds a tick over 100,000 due clusters on each database and
four schedulers at once over them on PostgreSQL: several more minutes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIGNING_KEY = "bench-signing-key"


@dataclass(frozen=True)
class BenchConfig:
    quick: bool
    database_url: str  # the dedicated `bench` database, never `test`
    clusters: int  # API scenario: clusters in the project
    snapshots_per_cluster: int
    load_seconds: int  # one wrk run
    warmup_seconds: int  # before each run
    rounds: int  # the API rows alternate this many times; the report shows medians
    connections: int  # wrk's fixed concurrency
    tick_sizes: tuple[int, ...]
    tick_schedulers: int  # > 1: that many schedulers at once over the largest size (PostgreSQL)
    download_mib: int
    workers: tuple[int, ...]  # uvicorn worker counts to compare

    @property
    def admin_url(self) -> str:
        """The maintenance database, to CREATE DATABASE bench when it is missing."""
        return self.database_url.rsplit("/", 1)[0] + "/postgres"


def load_config() -> BenchConfig:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    large = os.environ.get("BENCH_TICK_100K", "") not in ("", "0")
    return BenchConfig(
        quick=quick,
        database_url=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"
        ),
        clusters=500,
        snapshots_per_cluster=8,
        load_seconds=3 if quick else 5,
        warmup_seconds=1,
        rounds=1 if quick else 3,
        connections=16,
        tick_sizes=((200, 2000) if quick else (1000, 10000)) + ((100_000,) if large else ()),
        tick_schedulers=4 if large else 1,
        download_mib=128 if quick else 1024,
        workers=(1,) if quick else (1, 2),
    )
