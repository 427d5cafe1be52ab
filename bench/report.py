"""The markdown report: one table per measure, then the targets met or missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.api import ApiRun, MemoryRun
from bench.config import BenchConfig
from bench.download import DownloadRun
from bench.queries import Scenario
from bench.statements import StatementCount

LATENCY_TARGET = 2.0  # GraphQL p50 at most 2x the baseline's for (a) and (b)
TICK_FLATNESS = 0.20
DOWNLOAD_SHARE = 0.5
DOWNLOAD_RSS_MB = 50.0


@dataclass
class Results:
    cfg: BenchConfig
    scenarios: list[Scenario]
    api: list[ApiRun] = field(default_factory=list)
    memory: list[MemoryRun] = field(default_factory=list)
    statements: list[StatementCount] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    download: DownloadRun | None = None
    wall_seconds: float = 0.0


def _api(r: Results) -> list[str]:
    titles = {s.key: s.title for s in r.scenarios}
    out = [
        f"### 1. API on PostgreSQL: {r.cfg.clusters} clusters x {r.cfg.snapshots_per_cluster}"
        f" snapshots, wrk {r.cfg.connections} connections, {r.cfg.load_seconds} s per run",
        "",
        "| scenario | uvicorn workers | GraphQL req/s | GraphQL p50 / p99 (ms) |"
        " baseline req/s | baseline p50 / p99 (ms) | GraphQL / baseline p50 | p99 ratio |"
        " throughput ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a in r.api:
        g, b = a.graphql, a.baseline
        out.append(
            f"| {titles[a.scenario]} | {a.workers} | {g.rps:.0f} | {g.p50_ms:.1f} / {g.p99_ms:.1f}"
            f" | {b.rps:.0f} | {b.p50_ms:.1f} / {b.p99_ms:.1f} | {g.p50_ms / b.p50_ms:.2f}x"
            f" | {g.p99_ms / b.p99_ms:.2f}x | {g.rps / b.rps:.2f}x |"
        )
    return out


def _statements(r: Results) -> list[str]:
    out = [
        "### 2. SQL statements per request (API-key check included)",
        "",
        "| scenario | page sizes | GraphQL | baseline |",
        "|---|---|---|---|",
    ]
    for c in r.statements:
        out.append(
            f"| {c.scenario} | {c.page_sizes[0]} / {c.page_sizes[1]} |"
            f" {c.graphql[0]} / {c.graphql[1]} | {c.baseline[0]} / {c.baseline[1]} |"
        )
    return out


def _ticks(r: Results) -> list[str]:
    out = [
        "### 3. Daily tick at scale (simulated fleet, local storage; one process per size)",
        "",
        "| database | due clusters | wall (s) | ms / cluster | SQL statements | per cluster |"
        " peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in r.ticks:
        out.append(
            f"| {t['database']} | {t['clusters']:.0f} | {t['wall_s']:.2f} |"
            f" {t['ms_per_cluster']:.2f} | {t['statements']:.0f} |"
            f" {t['statements_per_cluster']:.2f} | {t['peak_rss_mb']:.0f} |"
        )
    return out


def _download(r: Results) -> list[str]:
    d = r.download
    if d is None:
        return []
    return [
        f"### 4. Download of a {d.size_mib} MiB archive over loopback (curl, 1 worker)",
        "",
        "`cat` reads the page cache only; the loopback ceiling is the same file sent by the"
        " kernel (`sendfile`, no Python) to the same curl: no HTTP server can beat it here.",
        "",
        "| `cat > /dev/null` (MiB/s) | loopback ceiling (MiB/s) | server (MiB/s) |"
        " server / cat | server / ceiling | RSS before (MB) | RSS peak (MB) | RSS growth (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {d.cat_mib_s:.0f} | {d.loopback_mib_s:.0f} | {d.server_mib_s:.0f} |"
        f" {d.server_mib_s / d.cat_mib_s:.2f} | {d.server_mib_s / d.loopback_mib_s:.2f} |"
        f" {d.rss_before_mb:.0f} | {d.rss_peak_mb:.0f} | {d.rss_growth_mb:.1f} |",
    ]


def _memory(r: Results) -> list[str]:
    out = [
        "### 5. Server memory (RSS of uvicorn and its workers)",
        "",
        "| server | workers | idle (MB) | peak under the load of 1 (MB) |",
        "|---|---:|---:|---:|",
    ]
    for m in r.memory:
        out.append(f"| {m.server} | {m.workers} | {m.idle_mb:.0f} | {m.load_peak_mb:.0f} |")
    return out


def _targets(r: Results) -> list[str]:
    rows = []
    for a in r.api:
        if a.scenario in ("backup_tab", "daily"):
            ratio = a.graphql.p50_ms / a.baseline.p50_ms
            rows.append((f"{a.scenario} p50 <= {LATENCY_TARGET:g}x baseline"
                         f" ({a.workers} worker(s))", f"{ratio:.2f}x",
                         ratio <= LATENCY_TARGET))  # fmt: skip
    for c in r.statements:
        rows.append((f"{c.scenario}: statements constant in page size",
                     f"{c.graphql[0]} / {c.graphql[1]}", c.graphql[0] == c.graphql[1]))  # fmt: skip
    for database in dict.fromkeys(t["database"] for t in r.ticks):
        runs = [t for t in r.ticks if t["database"] == database]
        small, large = runs[0], runs[-1]
        growth = large["ms_per_cluster"] / small["ms_per_cluster"] - 1
        rows.append((f"tick ms/cluster flat within {TICK_FLATNESS:.0%}, {database}"
                     f" ({small['clusters']:.0f} -> {large['clusters']:.0f})",
                     f"{growth:+.0%}", abs(growth) <= TICK_FLATNESS))  # fmt: skip
    if r.download is not None:
        d = r.download
        share = d.server_mib_s / d.cat_mib_s
        rows.append((f"download >= {DOWNLOAD_SHARE:g} x cat", f"{share:.2f}",
                     share >= DOWNLOAD_SHARE))  # fmt: skip
        ceiling = d.server_mib_s / d.loopback_mib_s
        rows.append((f"(context) download >= {DOWNLOAD_SHARE:g} x loopback ceiling",
                     f"{ceiling:.2f}", ceiling >= DOWNLOAD_SHARE))  # fmt: skip
        rows.append((f"download RSS growth < {DOWNLOAD_RSS_MB:g} MB",
                     f"{d.rss_growth_mb:.1f} MB", d.rss_growth_mb < DOWNLOAD_RSS_MB))  # fmt: skip
    out = ["### Targets", "", "| target | measured | met |", "|---|---:|---|"]
    out += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in rows]
    return out


def render(r: Results) -> str:
    mode = "quick mode (smaller sizes, short runs)" if r.cfg.quick else "full run"
    parts = [
        ["## Benchmark results", "",
         f"`make bench`, {mode}, {r.wall_seconds:.0f} s in all. Ratios are what hold on a noisy"
         " machine; absolute figures depend on it."],
        _api(r), _statements(r), _ticks(r), _download(r), _memory(r), _targets(r),
    ]  # fmt: skip
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"
