"""`make bench`: seed PostgreSQL, measure the API against its peers
(PostGraphile, a raw asyncpg app, the same-ORM baseline), SQL per request,
the daily tick at scale, downloads, memory and the MongoDB dump; print the markdown tables and
write them to bench/results.md.

    .venv/bin/python -m bench            # the full run (under 10 minutes on 2 cores)
    .venv/bin/python -m bench --quick    # or BENCH_QUICK=1: short runs, small sizes
    .venv/bin/python -m bench --tick-100k   # or BENCH_TICK_100K=1: the tick at 100k too
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from bench.config import ROOT, load_config


def main() -> None:
    if "--quick" in sys.argv[1:]:
        os.environ["BENCH_QUICK"] = "1"
    if "--tick-100k" in sys.argv[1:]:
        os.environ["BENCH_TICK_100K"] = "1"
    os.environ.setdefault("SIGNING_KEY", "bench-signing-key")
    started = time.perf_counter()
    cfg = load_config()

    from bench import tick_report, tick_scale
    from bench.api import measure_api
    from bench.download import measure_download
    from bench.dump import measure_dump
    from bench.load import ensure_wrk
    from bench.peer_postgraphile import prepare
    from bench.peers import rows
    from bench.queries import scenarios
    from bench.raw_app import JSON_LIBRARY
    from bench.report import Results, render
    from bench.seed import seed
    from bench.statements import count_per_request

    ensure_wrk()

    def step(what: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {what}", flush=True)

    step(f"seeding {cfg.clusters} clusters x {cfg.snapshots_per_cluster} snapshots"
         f" in {cfg.database_url}")  # fmt: skip
    try:
        seeded = asyncio.run(
            seed(cfg.database_url, cfg.admin_url, cfg.clusters, cfg.snapshots_per_cluster)
        )
    except OSError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {cfg.database_url} ({exc}); start it, e.g."
            " `pg_ctlcluster --skip-systemctl-redirect <version> main start`, or set"
            " BENCH_DATABASE_URL."
        ) from None
    step("PostGraphile (needs Node.js)")
    postgraphile = prepare()
    print(f"  {postgraphile.version or 'skipped: ' + str(postgraphile.reason)}", flush=True)
    results = Results(
        cfg=cfg,
        scenarios=scenarios(seeded.project_id, seeded.cluster_name),
        postgraphile=postgraphile,
        raw_json=JSON_LIBRARY if JSON_LIBRARY == "orjson" else "json (orjson is not installed)",
    )
    results.load_average.append(("at the start", os.getloadavg()))

    step("SQL statements per request")
    results.statements = asyncio.run(count_per_request(cfg, seeded))

    api_rows = rows(cfg.database_url, seeded.api_key, cfg.workers, postgraphile.reason is None)
    step(f"API load, rows alternating: {', '.join(row.name for row in api_rows)}")
    results.api, results.memory = measure_api(cfg, api_rows, results.scenarios)
    results.load_average.append(("after the API load", os.getloadavg()))

    step(f"download of {cfg.download_mib} MiB")
    results.download = asyncio.run(measure_download(cfg, seeded))

    step("dump throughput of the MongoDB data plane (nx-27017)")
    results.dump = measure_dump()

    # PostgreSQL (this replaces the API data in the bench database), then SQLite.
    for url in (cfg.database_url, None):
        for n in cfg.tick_sizes:
            step(f"daily tick for {n} due clusters on {tick_scale.database_label(url)}")
            results.ticks.append(
                tick_scale.run_in_subprocess(n, timeout=600 + n / 20, database_url=url)
            )
    if cfg.tick_schedulers > 1:
        n = cfg.tick_sizes[-1]
        step(f"daily tick for {n} due clusters, {cfg.tick_schedulers} schedulers at once")
        results.ticks.append(
            tick_scale.run_in_subprocess(n, 600 + n / 20, cfg.database_url, cfg.tick_schedulers)
        )

    results.wall_seconds = time.perf_counter() - started
    text = render(results) + ("\n" + kept if (kept := tick_report.kept_section()) else "")
    print()
    print(text)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    step("wrote bench/results.md")


if __name__ == "__main__":
    main()
