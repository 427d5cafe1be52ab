"""`make bench`: seed PostgreSQL, measure the API against a plain baseline,
SQL per request, the daily tick at scale, downloads and memory; print the
markdown table and write it to bench/results.md.

    .venv/bin/python -m bench            # the full run (under 15 minutes on 2 cores)
    .venv/bin/python -m bench --quick    # or BENCH_QUICK=1: short runs, small sizes
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
    os.environ.setdefault("SIGNING_KEY", "bench-signing-key")
    started = time.perf_counter()
    cfg = load_config()

    from bench import tick_scale
    from bench.api import measure_api
    from bench.download import measure_download
    from bench.load import ensure_wrk
    from bench.queries import scenarios
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
    results = Results(cfg=cfg, scenarios=scenarios(seeded.project_id, seeded.cluster_name))

    step("SQL statements per request")
    results.statements = asyncio.run(count_per_request(cfg, seeded))

    step("API load: baseline and GraphQL")
    results.api, results.memory = measure_api(cfg, seeded, results.scenarios)

    step(f"download of {cfg.download_mib} MiB")
    results.download = asyncio.run(measure_download(cfg, seeded))

    # PostgreSQL (this replaces the API data in the bench database), then SQLite.
    for url in (cfg.database_url, None):
        for n in cfg.tick_sizes:
            step(f"daily tick for {n} due clusters on {tick_scale.database_label(url)}")
            results.ticks.append(tick_scale.run_in_subprocess(n, timeout=300, database_url=url))

    results.wall_seconds = time.perf_counter() - started
    text = render(results)
    print()
    print(text)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    step("wrote bench/results.md")


if __name__ == "__main__":
    main()
