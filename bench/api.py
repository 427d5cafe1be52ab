"""Measures 1 and 5: each row's throughput and latency per scenario, same
database, same wrk concurrency; plus each server's RSS idle and at its peak
under its own load.

Every server is up for the whole measure, every answer is checked against
ours before any timing, then the rows alternate (ours, PostGraphile, raw,
baseline, ours with 2 workers, ...) scenario by scenario, round after round,
so a slow minute on a shared machine hits every row alike.
"""

from __future__ import annotations

import statistics
from contextlib import ExitStack
from dataclasses import dataclass

from bench import answers
from bench.config import BenchConfig
from bench.load import LoadResult, run_wrk
from bench.peers import HttpRequest, Row
from bench.queries import Scenario
from bench.server import RssSampler, Server, rss_mb


@dataclass(frozen=True)
class Measured:
    """One row on one scenario over every round: medians, and the spread of req/s."""

    row: str
    scenario: str
    runs: tuple[LoadResult, ...]

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def rps_range(self) -> tuple[float, float]:
        return min(r.rps for r in self.runs), max(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)


@dataclass(frozen=True)
class MemoryRun:
    row: str
    label: str
    workers: int
    idle_mb: float
    load_peak_mb: float


def _check_answers(
    rows: list[Row], servers: dict[str, Server], scenarios: list[Scenario], cfg: BenchConfig
) -> dict[tuple[str, str], HttpRequest]:
    """Every row's request per scenario, each answer checked against ours (the
    first row) first: a row that answers differently stops the bench."""
    reference_row = rows[0]
    requests: dict[tuple[str, str], HttpRequest] = {}
    for s in scenarios:
        ask = reference_row.request(servers[reference_row.name].base_url, s)
        assert ask is not None
        ours = reference_row.unwrap(ask.fetch())
        if s.key == "backup_tab":
            answers.require_rows(ours, s.key, cfg.snapshots_per_cluster)
        elif s.key == "daily":
            answers.require_rows(ours, s.key, int(s.variables["first"]))
        for row in rows:
            request = row.request(servers[row.name].base_url, s)
            if request is None:
                continue
            theirs = row.unwrap(request.fetch())
            what = f"{row.label} x{row.workers} on {s.key}"
            if row.rest:
                answers.check_rest(ours, theirs, what)
            else:
                answers.check(s.key, ours, theirs, what, peer=row.reduced)
            requests[(row.name, s.key)] = request
    return requests


def _load(request: HttpRequest, cfg: BenchConfig) -> LoadResult:
    """A short warm-up run, then the measured one."""
    for seconds in (cfg.warmup_seconds, cfg.load_seconds):
        result = run_wrk(
            request.url, seconds=seconds, connections=cfg.connections,
            method=request.method, body=request.body, headers=request.headers,
        )  # fmt: skip
    return result


def measure_api(
    cfg: BenchConfig, rows: list[Row], scenarios: list[Scenario]
) -> tuple[list[Measured], list[MemoryRun]]:
    runs: dict[tuple[str, str], list[LoadResult]] = {}
    peaks: dict[str, float] = {}
    with ExitStack() as stack:
        servers = {row.name: stack.enter_context(row.start()) for row in rows}
        idle = {row.name: rss_mb(servers[row.name].pid) for row in rows}
        requests = _check_answers(rows, servers, scenarios, cfg)
        print(f"  answers of {len(rows)} rows equal to ours; timing {cfg.rounds} round(s)",
              flush=True)  # fmt: skip
        for round_no in range(1, cfg.rounds + 1):
            for s in scenarios:
                for row in rows:
                    request = requests.get((row.name, s.key))
                    if request is None:
                        continue
                    with RssSampler(servers[row.name].pid) as sampler:
                        result = _load(request, cfg)
                    peaks[row.name] = max(peaks.get(row.name, 0.0), sampler.peak)
                    print(f"  round {round_no} {s.key:10} {row.name:13} {result.rps:8.0f} req/s"
                          f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                          f"  errors {result.errors}", flush=True)  # fmt: skip
                    if result.errors:
                        raise RuntimeError(f"{row.name} {s.key}: {result.errors} failed requests")
                    runs.setdefault((row.name, s.key), []).append(result)
    measured = [Measured(name, key, tuple(found)) for (name, key), found in runs.items()]
    memory = [MemoryRun(row.name, row.label, row.workers, idle[row.name], peaks.get(row.name, 0.0))
              for row in rows]  # fmt: skip
    return measured, memory
