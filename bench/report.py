"""The markdown report: one table per measure, then the targets met or missed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bench import tick_report
from bench.api import Measured, MemoryRun
from bench.config import BenchConfig
from bench.download import DownloadRun
from bench.dump import DumpRun
from bench.dump import render as render_dump
from bench.peer_postgraphile import Availability
from bench.peers import REST_ROW
from bench.queries import Scenario
from bench.statements import StatementCount

LATENCY_TARGET = 2.0  # GraphQL p50 at most 2x the baseline's for (a) and (b)
DOWNLOAD_SHARE = 0.5
DOWNLOAD_RSS_MB = 50.0
DUMP_SHARE = 0.8  # the adapter at least 0.8x pymongo's find_raw_batches
PEER_SHARE = 0.5  # issue 16: (a) and (b) at least 0.5x PostGraphile's req/s
TAIL_RATIO = 2.0  # issue 16: p99 at most 2x p50 under the bench's load


@dataclass
class Results:
    cfg: BenchConfig
    scenarios: list[Scenario]
    postgraphile: Availability
    raw_json: str  # the JSON library of the raw app: orjson when installed, else json
    load_average: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)
    api: list[Measured] = field(default_factory=list)
    memory: list[MemoryRun] = field(default_factory=list)
    statements: list[StatementCount] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    download: DownloadRun | None = None
    dump: DumpRun | None = None
    wall_seconds: float = 0.0


def _find(r: Results, row: str, scenario: str) -> Measured | None:
    return next((m for m in r.api if m.row == row and m.scenario == scenario), None)


def _api(r: Results) -> list[str]:
    titles = {s.key: s.title for s in r.scenarios}
    cfg = r.cfg
    out = [
        f"### 1. API on PostgreSQL: ours and its peers ({cfg.clusters} clusters x"
        f" {cfg.snapshots_per_cluster} snapshots)",
        "",
        f"wrk, {cfg.connections} connections, {cfg.rounds} round(s) of {cfg.load_seconds} s per"
        f" row and scenario (each after {cfg.warmup_seconds} s of warm-up), the rows alternating"
        " within each round; req/s, p50 and p99 are medians over the rounds, with the range of"
        " req/s. Every row's answers were checked equal to ours before any timing.",
        "",
        "- **ours**: `/graphql`, uvicorn (uvloop, httptools), Tortoise pool of 5 per worker.",
        "- **PostGraphile**: one Node process (`bench/postgraphile/server.js`), default Relay"
        " connections (`simpleCollections: omit`), no mutations, no auth, pg pool of 5;"
        " compared on the stored values (it computes no policy, location names or our cursors).",
        "- **raw**: `bench/raw_app.py`, bare ASGI on asyncpg (pool of 5) and"
        f" {r.raw_json}, one uvicorn worker, the same API-key and role check, the same JSON.",
        "- **baseline**: `bench/baseline_app.py`, plain Starlette on our ORM, services and"
        " key check.",
        "",
        "| scenario | server | processes | req/s | req/s range | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    labels = {m.row: (m.label, m.workers) for m in r.memory}
    for s in r.scenarios:
        for m in (m for m in r.api if m.scenario == s.key):
            label, workers = labels[m.row]
            low, high = m.rps_range
            out.append(f"| {titles[s.key]} | {label} | {workers} | {m.rps:.0f} |"
                       f" {low:.0f}-{high:.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} |")  # fmt: skip
    if r.postgraphile.reason:
        out += ["", f"PostGraphile row skipped: {r.postgraphile.reason}."]
    out += [
        "",
        "Ratios (ours over the row; req/s below 1 and p50 above 1 mean ours is slower):",
        "",
        "| scenario | ours workers | req/s vs PostGraphile | vs raw | vs baseline (same workers) |"
        " p50 vs PostGraphile | vs raw | vs baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r.scenarios:
        for n in cfg.workers:
            ours = _find(r, f"ours-{n}", s.key)
            if ours is None:
                continue
            peers = [_find(r, name, s.key) for name in ("postgraphile", "raw", f"baseline-{n}")]
            rps = [f"{ours.rps / p.rps:.2f}x" if p else "-" for p in peers]
            p50 = [f"{ours.p50_ms / p.p50_ms:.2f}x" if p else "-" for p in peers]
            out.append(f"| {titles[s.key]} | {n} | {' | '.join(rps)} | {' | '.join(p50)} |")
    return out + _rest(r)


def _rest(r: Results) -> list[str]:
    """The Atlas REST "list snapshots" call beside the GraphQL Backup tab."""
    graphql, rest = _find(r, "ours-1", "backup_tab"), _find(r, REST_ROW, "backup_tab")
    if graphql is None or rest is None:
        return []
    return [
        "",
        "The same cluster's snapshots over the Atlas REST API (`GET /api/atlas/v2/groups/"
        "{groupId}/flexClusters/{name}/backup/snapshots`, Bearer key, one worker; the same"
        " snapshots and count as (a), checked first) beside the GraphQL Backup tab, which"
        " also returns the cluster and its policy:",
        "",
        "| call | req/s | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|",
        f"| GraphQL Backup tab (a) | {graphql.rps:.0f} | {graphql.p50_ms:.1f} |"
        f" {graphql.p99_ms:.1f} |",
        f"| REST list snapshots | {rest.rps:.0f} | {rest.p50_ms:.1f} | {rest.p99_ms:.1f} |",
        "",
        f"REST p50 / GraphQL p50: **{rest.p50_ms / graphql.p50_ms:.2f}x**.",
    ]


def _statements(r: Results) -> list[str]:
    out = [
        "### 2. SQL statements per request (API-key check included)",
        "",
        "GraphQL as served keeps the caller found by a key while it listens for changes"
        " (`AUTH_CACHE_SECONDS`, PostgreSQL): the first column is a request whose key check"
        " reads the caller, the second one whose caller is kept.",
        "",
        "| scenario | page sizes | GraphQL, key read | GraphQL, caller kept | baseline |",
        "|---|---|---|---|---|",
    ]
    for c in r.statements:
        kept = "-" if c.graphql_kept is None else f"{c.graphql_kept[0]} / {c.graphql_kept[1]}"
        out.append(
            f"| {c.scenario} | {c.page_sizes[0]} / {c.page_sizes[1]} |"
            f" {c.graphql[0]} / {c.graphql[1]} | {kept} | {c.baseline[0]} / {c.baseline[1]} |"
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
    for t in (t for t in r.ticks if t.get("schedulers", 1) == 1):
        out.append(
            f"| {t['database']} | {t['clusters']:.0f} | {t['wall_s']:.2f} |"
            f" {t['ms_per_cluster']:.2f} | {t['statements']:.0f} |"
            f" {t['statements_per_cluster']:.2f} | {t['peak_rss_mb']:.0f} |"
        )
    many = next((t for t in r.ticks if t.get("schedulers", 1) > 1), None)
    if many is not None:
        several = sorted((t for t in r.ticks if t["database"] == many["database"]
                          and t["clusters"] == many["clusters"]),
                         key=lambda t: t["schedulers"])  # fmt: skip
        out += ["", "Several schedulers at once over the same due clusters:", "",
                *tick_report.schedulers_table(several)]  # fmt: skip
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
        "### 5. Server memory (RSS of the server process and its workers)",
        "",
        "| server | processes | idle (MB) | peak under its own load (MB) |",
        "|---|---:|---:|---:|",
    ]
    for m in r.memory:
        out.append(f"| {m.label} | {m.workers} | {m.idle_mb:.0f} | {m.load_peak_mb:.0f} |")
    return out


def _targets(r: Results) -> list[str]:
    rows = []
    for n in r.cfg.workers:
        for key in ("backup_tab", "daily"):
            ours, baseline = _find(r, f"ours-{n}", key), _find(r, f"baseline-{n}", key)
            if ours is None or baseline is None:
                continue
            ratio = ours.p50_ms / baseline.p50_ms
            rows.append((f"{key} p50 <= {LATENCY_TARGET:g}x baseline ({n} worker(s))",
                         f"{ratio:.2f}x", ratio <= LATENCY_TARGET))  # fmt: skip
    graphql, rest = _find(r, "ours-1", "backup_tab"), _find(r, REST_ROW, "backup_tab")
    if graphql is not None and rest is not None:
        ratio = rest.p50_ms / graphql.p50_ms
        rows.append(("REST list snapshots p50 <= GraphQL Backup tab p50 (1 worker)",
                     f"{ratio:.2f}x", ratio <= 1))  # fmt: skip
    for key in ("backup_tab", "daily"):
        ours, peer = _find(r, "ours-1", key), _find(r, "postgraphile", key)
        if ours is not None and peer is not None:
            ratio = ours.rps / peer.rps
            rows.append((f"{key} req/s >= {PEER_SHARE:g}x PostGraphile (1 worker)",
                         f"{ratio:.2f}x", ratio >= PEER_SHARE))  # fmt: skip
        if ours is not None:
            spread = ours.p99_ms / ours.p50_ms
            rows.append((f"{key} p99 <= {TAIL_RATIO:g}x p50 (1 worker)", f"{spread:.2f}x",
                         spread <= TAIL_RATIO))  # fmt: skip
    for c in r.statements:
        rows.append((f"{c.scenario}: statements constant in page size",
                     f"{c.graphql[0]} / {c.graphql[1]}", c.graphql[0] == c.graphql[1]))  # fmt: skip
        if c.graphql_kept is not None:
            kept, read = max(c.graphql_kept), max(c.graphql)
            rows.append((f"{c.scenario}: statements <= 2 with the caller kept (3 on a miss)",
                         f"{kept} / {read}", kept <= 2 and read <= 3))  # fmt: skip
    if r.ticks:
        rows += tick_report.targets([{"schedulers": 1, **t} for t in r.ticks])
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
    if r.dump is not None:
        rows.append((f"dump >= {DUMP_SHARE:g} x find_raw_batches", f"{r.dump.ratio:.2f}",
                     r.dump.ratio >= DUMP_SHARE))  # fmt: skip
    out = ["### Targets", "", "| target | measured | met |", "|---|---:|---|"]
    out += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in rows]
    return out


def render(r: Results) -> str:
    mode = "quick mode (smaller sizes, short runs)" if r.cfg.quick else "full run"
    loads = "; ".join(f"{when} {a:.2f} / {b:.2f} / {c:.2f}" for when, (a, b, c) in r.load_average)
    peer = r.postgraphile.version or f"PostGraphile skipped ({r.postgraphile.reason})"
    parts = [
        ["## Benchmark results", "",
         f"`make bench`, {mode}, {r.wall_seconds:.0f} s in all, on {os.cpu_count()} cores;"
         f" load average (1 / 5 / 15 min) {loads}. {peer}. Ratios are what hold on a"
         " noisy machine; absolute figures depend on it."],
        _api(r), _statements(r), _ticks(r), _download(r), _memory(r),
        render_dump(r.dump) if r.dump else [], _targets(r),
    ]  # fmt: skip
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"
