"""The Starlette application: /graphql, /api/atlas/v2, /api/oauth/token, /healthz,
/metrics and the lifespan."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from graphql_api.clock import utc_now
from graphql_api.console.routes import console_routes
from graphql_api.db import connection_of_its_own, tortoise_config
from graphql_api.fleet import Fleet, build_fleet
from graphql_api.rest.routes import routes as rest_routes
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.scheduler.runner import run_until
from graphql_api.schema import build_schema
from graphql_api.schema.view import GraphQLView
from graphql_api.services.principal_cache import listen_for_changes
from graphql_api.settings import Settings, get_settings
from graphql_api.storage import build_stores
from graphql_api.web.authentication import ApiKeyBackend, on_auth_error
from graphql_api.web.connection import OneConnectionPerRequest
from graphql_api.web.downloads import serve_download
from graphql_api.web.limits import RequestLimits
from graphql_api.web.oauth import oauth_routes
from graphql_api.web.probes import healthz, metrics, readyz
from graphql_api.web.rate_limits import RateLimits


@asynccontextmanager
async def background_scheduler(settings: Settings, fleet: Fleet) -> AsyncIterator[None]:
    """The daily snapshot task inside the API process; stops with the app."""
    scheduler = SnapshotScheduler(fleet, build_stores(settings), settings)
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_until(
            scheduler, settings.scheduler_interval_seconds, stop, settings.shutdown_grace_seconds
        )
    )
    try:
        yield
    finally:
        stop.set()
        await task


@asynccontextmanager
async def keeping_principals(settings: Settings) -> AsyncIterator[None]:
    """Callers found by API key are kept while PostgreSQL tells this process
    of every change to them (services/principal_cache.py); not on SQLite."""
    connect = connection_of_its_own(settings.database_url)
    if connect is None or settings.auth_cache_seconds <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(listen_for_changes(connect, settings.auth_cache_seconds, stop))
    try:
        yield
    finally:
        stop.set()
        await task


def create_app(
    settings: Settings | None = None,
    *,
    manage_orm: bool = True,
    clock: Callable[[], datetime] = utc_now,
) -> Starlette:
    """``manage_orm=False`` when the caller (a test) has already started the ORM."""
    settings = settings or get_settings()
    fleet = build_fleet(settings, clock)
    view = GraphQLView(
        build_schema(settings),
        graphql_ide="graphiql" if settings.graphiql else None,
        clock=clock,
        settings=settings,
        fleet=fleet,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_orm:
                await stack.enter_async_context(
                    RegisterTortoise(app, config=tortoise_config(settings.database_url))
                )
            if settings.scheduler_enabled and manage_orm:
                await stack.enter_async_context(background_scheduler(settings, fleet))
            if manage_orm:
                await stack.enter_async_context(keeping_principals(settings))
            if manage_orm:
                # What start-up made (schema, models, modules: ~110,000 objects)
                # lives as long as the process: out of the collector's sight, a
                # full collection pauses ~5 ms instead of ~60 ms, which made the
                # p99 latency several times the p50 under load.
                gc.freeze()
            yield

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/downloads/{token}", serve_download, methods=["GET", "HEAD"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *console_routes(settings),
            *rest_routes(),
            *oauth_routes(),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=[
                    "Content-Length",
                    "Content-Range",
                    "Repr-Digest",
                    "ETag",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "Retry-After",
                ],
            ),
            Middleware(
                RequestLimits,
                max_body_bytes=settings.max_body_bytes,
                timeout_seconds=settings.request_timeout_seconds,
            ),
            Middleware(OneConnectionPerRequest),
            Middleware(
                AuthenticationMiddleware,
                backend=ApiKeyBackend(clock, settings),
                on_error=on_auth_error,
            ),
            Middleware(RateLimits, per_minute=settings.rate_limit_per_minute),
        ],
        lifespan=lifespan,
    )
    # What request handlers outside GraphQL need (the download route).
    app.state.settings = settings
    app.state.stores = build_stores(settings)
    app.state.clock = clock
    return app
