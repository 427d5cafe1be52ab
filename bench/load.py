"""wrk, the load generator: install it when missing, run it bounded in time
with a Lua script that sends our request and reports percentiles as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "wrk is needed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`."

# wrk's done() hook prints one JSON line; latencies are in microseconds.
_LUA = """
wrk.method = "{method}"
wrk.body = [==[{body}]==]
{headers}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %f, "errors": %d, "non2xx": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    """The wrk binary; installs it with apt-get when possible, else explains."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk not found: installing it with apt-get ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, timeout=300, **quiet)  # noqa: S607
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update"], check=False, timeout=300, **quiet)  # noqa: S607
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, timeout=300, **quiet)  # noqa: S607
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(INSTALL_HINT)


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 1,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """One bounded run (wrk -d) against 127.0.0.1 only."""
    assert url.startswith("http://127.0.0.1:"), url
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items()]
    script = _LUA.format(method=method, body=body, headers="\n".join(lines))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "request.lua"
        path.write_text(script, encoding="utf-8")
        out = subprocess.run(  # noqa: S603
            [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "10s", "-s", str(path), url],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return LoadResult(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=data["errors"] + data["non2xx"],
    )
