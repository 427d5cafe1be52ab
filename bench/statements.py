"""Measure 2: SQL statements per request, counted in-process (the app over
httpx's ASGI transport) at two page sizes; equal counts mean no N+1."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

import httpx
from tortoise import Tortoise

from bench.baseline_app import create_app as create_baseline
from bench.config import SIGNING_KEY, BenchConfig
from bench.queries import Scenario, scenarios
from bench.seed import Seeded
from bench.sqlcount import count_statements
from graphql_api.app import create_app
from graphql_api.db import connection_of_its_own, tortoise_config
from graphql_api.services.principal_cache import PRINCIPALS, listen_for_changes
from graphql_api.settings import Settings

# (scenario, small page, large page): the sizes the count must not depend on.
PAGE_SIZES = {"backup_tab": (2, 8), "daily": (10, 100)}


@dataclass(frozen=True)
class StatementCount:
    scenario: str
    page_sizes: tuple[int, int]
    graphql: tuple[int, int]  # the key check reading the caller
    baseline: tuple[int, int]
    graphql_kept: tuple[int, int] | None = None  # the caller kept (listening, as served)


async def _count(client: httpx.AsyncClient, kind: str, s: Scenario, auth: dict[str, str]) -> int:
    with count_statements() as statements:
        if kind == "graphql":
            response = await client.post("/graphql", json=s.graphql_body(), headers=auth)
            body: Any = response.json()
            if body.get("errors"):
                raise RuntimeError(f"{s.key}: {body['errors']}")
        else:
            response = await client.get(s.baseline_path, headers=auth)
        response.raise_for_status()
    return len(statements)


def _with_page(s: Scenario, size: int) -> Scenario:
    variables = {**s.variables, "first": size}
    path = s.baseline_path.replace(f"first={s.variables['first']}", f"first={size}")
    return Scenario(s.key, s.title, s.query, variables, path)


async def count_per_request(cfg: BenchConfig, seeded: Seeded) -> list[StatementCount]:
    settings = Settings(  # type: ignore[call-arg]
        environment="production", database_url=cfg.database_url, signing_key=SIGNING_KEY,
        scheduler_enabled=False,
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {seeded.api_key}"}
    await Tortoise.init(config=tortoise_config(cfg.database_url))
    found = []
    try:
        apps = {
            "graphql": create_app(settings, manage_orm=False),
            "baseline": create_baseline(manage_orm=False),
        }
        for s in scenarios(seeded.project_id, seeded.cluster_name):
            if s.key not in PAGE_SIZES:
                continue
            counts: dict[str, tuple[int, int]] = {}
            for kind, app in apps.items():
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                    # Once first: a key's first use also records when it was last used.
                    await _count(c, kind, s, auth)
                    small, large = PAGE_SIZES[s.key]
                    counts[kind] = (
                        await _count(c, kind, _with_page(s, small), auth),
                        await _count(c, kind, _with_page(s, large), auth),
                    )
            found.append(
                StatementCount(s.key, PAGE_SIZES[s.key], counts["graphql"], counts["baseline"])
            )
        await _count_kept(cfg, apps["graphql"], found, seeded, auth)
    finally:
        await Tortoise.close_connections()
    return found


async def _count_kept(
    cfg: BenchConfig, app: Any, found: list[StatementCount], seeded: Seeded, auth: dict[str, str]
) -> None:
    """The same requests with the caller kept, as a served process keeps it
    while it listens for changes (services/principal_cache.py)."""
    connect = connection_of_its_own(cfg.database_url)
    if connect is None:
        return
    stop = asyncio.Event()
    listener = asyncio.create_task(listen_for_changes(connect, 60.0, stop))
    try:
        for _ in range(500):
            if PRINCIPALS.enabled:
                break
            await asyncio.sleep(0.01)
        by_key = {s.key: s for s in scenarios(seeded.project_id, seeded.cluster_name)}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            for i, count in enumerate(found):
                s = by_key[count.scenario]
                await _count(c, "graphql", s, auth)  # read once, kept after
                small, large = count.page_sizes
                kept = (
                    await _count(c, "graphql", _with_page(s, small), auth),
                    await _count(c, "graphql", _with_page(s, large), auth),
                )
                found[i] = replace(count, graphql_kept=kept)
    finally:
        stop.set()
        await listener
