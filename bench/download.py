"""Measure 4: serving a large archive over loopback against `cat > /dev/null`
of the same file (the physical limit), with the server's RSS growth."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise import Tortoise

from bench.config import SIGNING_KEY, BenchConfig
from bench.loopback import sendfile_url
from bench.seed import Seeded
from bench.server import RssSampler, rss_mb, serve, server_env
from graphql_api.db import tortoise_config
from graphql_api.models import Snapshot, User
from graphql_api.services.authentication import load_principal
from graphql_api.services.downloads import download_url, request_download
from graphql_api.settings import Settings

KEY = "bench/download.archive.gz"


@dataclass(frozen=True)
class DownloadRun:
    size_mib: int
    cat_mib_s: float
    loopback_mib_s: float  # kernel sendfile -> curl: the ceiling of any HTTP server here
    server_mib_s: float
    rss_before_mb: float
    rss_peak_mb: float

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_peak_mb - self.rss_before_mb


def _write_file(path: Path, mib: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1024 * 1024)  # incompressible, like a gzip'd archive
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(block)


def _cat_mib_s(path: Path, mib: int) -> float:
    cat = shutil.which("cat") or "cat"
    best = 0.0
    for _ in range(3):  # the first read also warms the page cache for the server
        with open(os.devnull, "wb") as sink:
            start = time.perf_counter()
            subprocess.run([cat, str(path)], stdout=sink, check=True, timeout=300)  # noqa: S603
            best = max(best, mib / (time.perf_counter() - start))
    return best


def _curl(url: str) -> list[str]:
    """[bytes per second, bytes] as curl measured them."""
    curl = shutil.which("curl") or "curl"
    return subprocess.run(  # noqa: S603
        [curl, "-sS", "--fail", "-o", os.devnull, "-w", "%{speed_download} %{size_download}", url],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout.split()  # fmt: skip


async def _link(cfg: BenchConfig, seeded: Seeded, base_url: str, size_key: str) -> str:
    settings = Settings(signing_key=SIGNING_KEY, database_url=cfg.database_url)  # type: ignore[call-arg]
    await Tortoise.init(config=tortoise_config(cfg.database_url))
    try:
        await Snapshot.filter(id=seeded.snapshot_id).update(storage_key=size_key)
        principal = await load_principal(await User.get(email="bench@example.com"))
        job = await request_download(principal, seeded.snapshot_id, settings, datetime.now(UTC))
        return download_url(job, base_url, settings)
    finally:
        await Tortoise.close_connections()


async def measure_download(cfg: BenchConfig, seeded: Seeded) -> DownloadRun:
    if shutil.which("curl") is None:  # a well-known client, and it reports the speed
        raise SystemExit("curl is needed for the download benchmark: apt-get install -y curl")
    with tempfile.TemporaryDirectory(prefix="flex-bench-download-") as tmp:
        root = Path(tmp)
        if shutil.disk_usage(root).free < (cfg.download_mib + 512) * 1024 * 1024:
            raise SystemExit(f"not enough free space in {root} for {cfg.download_mib} MiB")
        await Tortoise.init(config=tortoise_config(cfg.database_url))
        try:
            snapshot = await Snapshot.get(id=seeded.snapshot_id)
        finally:
            await Tortoise.close_connections()
        path = root / snapshot.storage_location.value / KEY
        _write_file(path, cfg.download_mib)
        cat = _cat_mib_s(path, cfg.download_mib)
        ceiling_url, sender = sendfile_url(path)
        ceiling = float((await asyncio.to_thread(_curl, ceiling_url))[0]) / (1024 * 1024)
        sender.join(timeout=60)
        env = server_env(cfg.database_url, SNAPSHOT_ROOT=str(root))
        with serve("graphql_api.app:create_app", env) as server:
            url = await _link(cfg, seeded, server.base_url, KEY)
            before = rss_mb(server.pid)
            with RssSampler(server.pid, interval=0.05) as sampler:
                out = await asyncio.to_thread(_curl, url)
        if int(out[1]) != cfg.download_mib * 1024 * 1024:
            raise RuntimeError(f"downloaded {out[1]} bytes, expected {cfg.download_mib} MiB")
        return DownloadRun(
            size_mib=cfg.download_mib,
            cat_mib_s=cat,
            loopback_mib_s=ceiling,
            server_mib_s=float(out[0]) / (1024 * 1024),
            rss_before_mb=before,
            rss_peak_mb=sampler.peak,
        )
