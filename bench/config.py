"""Benchmark knobs in one place, so the full and quick runs differ only here.

BENCH_QUICK=1 (or ``python -m bench --quick``) shortens every load run and
shrinks every size, for iterating on the bench itself.
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
    download_mib: int
    workers: tuple[int, ...]  # uvicorn worker counts to compare

    @property
    def admin_url(self) -> str:
        """The maintenance database, to CREATE DATABASE bench when it is missing."""
        return self.database_url.rsplit("/", 1)[0] + "/postgres"


def load_config() -> BenchConfig:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
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
        tick_sizes=(200, 2000) if quick else (1000, 10000),
        download_mib=128 if quick else 1024,
        workers=(1,) if quick else (1, 2),
    )
