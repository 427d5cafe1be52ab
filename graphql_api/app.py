"""The Starlette application: /graphql, /healthz, /metrics and the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from graphql_api.auth import ApiKeyBackend, on_auth_error
from graphql_api.clock import utc_now
from graphql_api.console.routes import console_routes
from graphql_api.db import tortoise_config
from graphql_api.downloads import download_snapshot
from graphql_api.fleet import Fleet, build_fleet
from graphql_api.limits import RequestLimits
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.scheduler.runner import run_until
from graphql_api.schema import build_schema
from graphql_api.schema.view import GraphQLView
from graphql_api.settings import Settings, get_settings
from graphql_api.storage import build_stores


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and every storage location is reachable."""
    checks: dict[str, str] = {}
    problems = request.app.state.settings.production_problems()
    checks["settings"] = " ".join(problems) if problems else "ok"
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    for location, store in request.app.state.stores.items():
        try:
            await store.size("readyz-probe")  # a cheap round trip: stat or HEAD
            checks[f"storage:{location.value}"] = "ok"
        except Exception as exc:
            checks[f"storage:{location.value}"] = f"unavailable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


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
            yield

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/downloads/{token}", download_snapshot, methods=["GET", "HEAD"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *console_routes(settings),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=["Content-Length", "Content-Range", "Repr-Digest", "ETag"],
            ),
            Middleware(
                RequestLimits,
                max_body_bytes=settings.max_body_bytes,
                timeout_seconds=settings.request_timeout_seconds,
            ),
            Middleware(AuthenticationMiddleware, backend=ApiKeyBackend(), on_error=on_auth_error),
        ],
        lifespan=lifespan,
    )
    # What request handlers outside GraphQL need (the download route).
    app.state.settings = settings
    app.state.stores = build_stores(settings)
    app.state.clock = clock
    return app
