"""Measure 1 and 5: each scenario's throughput and latency on /graphql and on
the baseline, same database, same uvicorn settings, same wrk concurrency;
plus each server's RSS idle and at its peak under that load."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from bench.config import BenchConfig
from bench.load import LoadResult, run_wrk
from bench.queries import Scenario
from bench.seed import Seeded
from bench.server import RssSampler, rss_mb, serve, server_env

GRAPHQL_APP = "graphql_api.app:create_app"
BASELINE_APP = "bench.baseline_app:create_app"


@dataclass(frozen=True)
class ApiRun:
    scenario: str
    workers: int
    graphql: LoadResult
    baseline: LoadResult


@dataclass(frozen=True)
class MemoryRun:
    server: str
    workers: int
    idle_mb: float
    load_peak_mb: float


def _fetch(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def _check(answer: Any, what: str) -> None:
    """A benchmark of errors is worthless: fail loudly when a request does not work."""
    if not isinstance(answer, dict) or answer.get("errors"):
        raise RuntimeError(f"{what} answered {str(answer)[:500]}")
    if "errors" not in answer and None in answer.values():
        raise RuntimeError(f"{what} answered {str(answer)[:500]}")


def _load(kind: str, base: str, s: Scenario, cfg: BenchConfig, auth: dict[str, str]) -> Any:
    if kind == "graphql":
        headers = {**auth, "Content-Type": "application/json"}
        body = json.dumps(s.graphql_body())
        url, method = f"{base}/graphql", "POST"
    else:
        headers, body, url, method = auth, "", f"{base}{s.baseline_path}", "GET"
    run_wrk(url, seconds=cfg.warmup_seconds, connections=cfg.connections,
            method=method, body=body, headers=headers)  # fmt: skip
    return run_wrk(url, seconds=cfg.load_seconds, connections=cfg.connections,
                   method=method, body=body, headers=headers)  # fmt: skip


def measure_api(
    cfg: BenchConfig, seeded: Seeded, scenarios: list[Scenario]
) -> tuple[list[ApiRun], list[MemoryRun]]:
    auth = {"Authorization": f"Bearer {seeded.api_key}"}
    env = server_env(cfg.database_url)
    results: dict[tuple[str, int, str], LoadResult] = {}
    memory = []
    for workers in cfg.workers:
        for kind, app in (("baseline", BASELINE_APP), ("graphql", GRAPHQL_APP)):
            with serve(app, env, workers=workers) as server:
                idle = rss_mb(server.pid)
                for s in scenarios:
                    if kind == "graphql":
                        answer = _fetch(f"{server.base_url}/graphql",
                                        {**auth, "Content-Type": "application/json"},
                                        s.graphql_body())  # fmt: skip
                        _check({"errors": answer.get("errors")}, f"graphql {s.key}")
                        _check(answer.get("data"), f"graphql {s.key}")
                    else:
                        _check(_fetch(server.base_url + s.baseline_path, auth), s.key)
                with RssSampler(server.pid) as sampler:
                    for s in scenarios:
                        result = _load(kind, server.base_url, s, cfg, auth)
                        print(f"  {kind:8} workers={workers} {s.key:10} {result.rps:8.0f} req/s"
                              f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
                              f"  errors {result.errors}", flush=True)  # fmt: skip
                        if result.errors:
                            raise RuntimeError(f"{kind} {s.key}: {result.errors} failed requests")
                        results[(kind, workers, s.key)] = result
                memory.append(MemoryRun(kind, workers, idle, sampler.peak))
    runs = [
        ApiRun(s.key, w, results[("graphql", w, s.key)], results[("baseline", w, s.key)])
        for w in cfg.workers
        for s in scenarios
    ]
    return runs, memory
