"""The "Tick at scale" section of bench/results.md: the tick table (the same
columns as `make bench`'s), memory and seeding apart, one scheduler against
several, and the targets. `make bench` rewrites the rest of the file and
keeps this section as it is."""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.config import ROOT

RESULTS = ROOT / "bench" / "results.md"
HEADING = "## Tick at scale"
FLATNESS = 0.20  # ms per cluster and peak RSS, largest size against the smallest
SPLIT = 0.10  # total statements of K schedulers against one's


def table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The tick table, one row per run."""
    out = [
        "| database | due clusters | wall (s) | ms / cluster | SQL statements | per cluster |"
        " peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in rows:
        out.append(
            f"| {t['database']} | {t['clusters']:.0f} | {t['wall_s']:.2f} |"
            f" {t['ms_per_cluster']:.2f} | {t['statements']:.0f} |"
            f" {t['statements_per_cluster']:.2f} | {t['peak_rss_mb']:.0f} |"
        )
    return out


def _load(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def _cpu(t: dict[str, Any]) -> str:
    return f"{t['cpu_ms_per_cluster']:.2f}" if "cpu_ms_per_cluster" in t else "-"


def _details(rows: Sequence[dict[str, Any]]) -> list[str]:
    out = [
        "| database | due clusters | schedulers | tick CPU (ms / cluster) | seeding (s) |"
        " RSS at the tick's start (MB) | tick's growth (MB) | load average before | after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in rows:
        out.append(
            f"| {t['database']} | {t['clusters']:.0f} | {t['schedulers']} |"
            f" {_cpu(t)} | {t['seed_s']:.1f} |"
            f" {t['rss_before_mb']:.0f} | {t['peak_rss_mb'] - t['rss_before_mb']:.1f} |"
            f" {_load(t['load_before'])} | {_load(t['load_after'])} |"
        )
    return out


PHASES = ("queue", "claim", "take", "retention", "give up", "settle")


def phases_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Where a scheduler's tick spends its time, per cluster: wall / CPU ms."""
    out = [
        "| database | due clusters | " + " | ".join(PHASES) + " | load average before |",
        "|---|---:|" + "---:|" * len(PHASES) + "---:|",
    ]
    for t in rows:
        spent = t["phases_s"][0]
        if f"{PHASES[0]} cpu" not in spent:
            continue  # measured before CPU per step was
        cells = [
            f"{1000 * spent.get(p, 0) / t['clusters']:.3f} / "
            f"{1000 * spent.get(f'{p} cpu', 0) / t['clusters']:.3f}"
            for p in PHASES
        ]
        out.append(
            f"| {t['database']} | {t['clusters']:.0f} | "
            + " | ".join(cells)
            + f" | {_load(t['load_before'])} |"
        )
    return out if len(out) > 2 else []


def schedulers_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    out = [
        "| schedulers | due clusters | wall (s) | ms / cluster | SQL statements | per cluster |"
        " queued by each | completed by each | every slot once |",
        "|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for t in rows:
        queued = ", ".join(str(q) for q in t["queued_by_scheduler"])
        completed = ", ".join(str(c) for c in t["completed_by_scheduler"])
        out.append(
            f"| {t['schedulers']} | {t['clusters']:.0f} | {t['wall_s']:.2f} |"
            f" {t['ms_per_cluster']:.2f} | {t['statements']:.0f} |"
            f" {t['statements_per_cluster']:.2f} | {queued} | {completed} |"
            f" {'yes' if t['exactly_once'] else '**no**'} |"
        )
    return out


def targets(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    found: list[tuple[str, str, bool]] = []
    single = [t for t in rows if t["schedulers"] == 1]
    for database in dict.fromkeys(t["database"] for t in single):
        runs = [t for t in single if t["database"] == database]
        small, large = min(t["clusters"] for t in runs), max(t["clusters"] for t in runs)
        at_small = [t for t in runs if t["clusters"] == small]
        at_large = [t for t in runs if t["clusters"] == large]
        runs_note = f", medians of {len(at_small)} and {len(at_large)} runs" if (
            len(at_small) > 1 or len(at_large) > 1) else ""  # fmt: skip
        span = f"{database} ({small:.0f} -> {large:.0f}{runs_note})"
        for key, what in (
            ("ms_per_cluster", "ms/cluster"),
            ("peak_rss_mb", "peak RSS"),
            ("cpu_ms_per_cluster", "CPU ms/cluster (the load moves wall time)"),
        ):
            before = [t[key] for t in at_small if key in t]
            after = [t[key] for t in at_large if key in t]
            if not before or not after:
                continue
            growth = statistics.median(after) / statistics.median(before) - 1
            found.append((f"tick {what} flat within {FLATNESS:.0%}, {span}", f"{growth:+.0%}",
                          abs(growth) <= FLATNESS))  # fmt: skip
    for many in (t for t in rows if t["schedulers"] > 1):
        one = next((t for t in single if t["database"] == many["database"]
                    and t["clusters"] == many["clusters"]), None)  # fmt: skip
        if one is not None:
            extra = many["statements"] / one["statements"] - 1
            found.append((f"{many['schedulers']} schedulers' statements within {SPLIT:.0%} of"
                          f" one's ({many['clusters']:.0f} clusters)", f"{extra:+.1%}",
                          abs(extra) <= SPLIT))  # fmt: skip
            speedup = one["wall_s"] / many["wall_s"]
            found.append((f"(context) one scheduler's wall time over {many['schedulers']}"
                          " schedulers'", f"{speedup:.2f}x", True))  # fmt: skip
    once = [t for t in rows if t["exactly_once"]]
    found.append(("every slot taken exactly once (every run above)", f"{len(once)} of {len(rows)}",
                  len(once) == len(rows)))  # fmt: skip
    return found


def section(rows: Sequence[dict[str, Any]], command: str) -> str:
    single = [t for t in rows if t["schedulers"] == 1]
    several = sorted((t for t in rows if t["schedulers"] > 1 or any(
        m["schedulers"] > 1 and m["clusters"] == t["clusters"] and m["database"] == t["database"]
        for m in rows)), key=lambda t: t["schedulers"])  # fmt: skip
    parts = [
        [HEADING, "",
         f"`{command}` on {os.cpu_count()} cores shared with other work (load averages below;"
         " trust the ratios). Simulated fleet, local storage, one due slot per cluster (creation"
         " times spread over a day). Each size seeds its database by bulk INSERTs, then runs the"
         " tick in a fresh process, so the seeding neither counts in the wall time nor in the"
         " peak RSS: that is the tick process's VmHWM, reset just before the tick (RSS at the"
         " tick's start is the interpreter and imports)."],
        ["### One scheduler", "", *table(single), "", *_details(rows)],
        ["### Where the time goes (one scheduler; wall / CPU ms per cluster in each step)", "",
         *phases_table(single)] if phases_table(single) else [],
        ["### Several schedulers over the same due clusters (started together)", "",
         *schedulers_table(several)] if any(t["schedulers"] > 1 for t in rows) else [],
        ["### Targets (tick at scale)", "", "| target | measured | met |", "|---|---:|---|",
         *(f"| {name} | {value} | {'yes' if ok else '**no**'} |"
           for name, value, ok in targets(rows))],
    ]  # fmt: skip
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"


def kept_section(path: Path = RESULTS) -> str:
    """This section of the current results, to carry over a `make bench` rewrite."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    at = text.find("\n" + HEADING + "\n")
    return text[at + 1 :] if at >= 0 else ""


def write_section(text: str, path: Path = RESULTS) -> None:
    """Put the section at the end of the results, in place of its previous run."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    at = current.find("\n" + HEADING + "\n")
    rest = (current[:at] if at >= 0 else current).rstrip("\n")
    path.write_text((rest + "\n\n" if rest else "") + text, encoding="utf-8")
