"""The Starlette application: /graphql, /healthz, /metrics and the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise

from graphql_api.auth import ApiKeyBackend, on_auth_error
from graphql_api.db import tortoise_config
from graphql_api.fleet import build_fleet
from graphql_api.scheduler import SnapshotScheduler, run_periodically
from graphql_api.schema import schema
from graphql_api.schema.context import utc_now
from graphql_api.schema.view import GraphQLView
from graphql_api.settings import Settings, get_settings
from graphql_api.storage import build_stores

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@asynccontextmanager
async def background_scheduler(settings: Settings) -> AsyncIterator[None]:
    """The daily snapshot task inside the API process; stops with the app."""
    scheduler = SnapshotScheduler(build_fleet(settings), build_stores(settings), settings)
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_periodically(scheduler, settings.scheduler_interval_seconds, stop)
    )
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=settings.shutdown_grace_seconds)
        except TimeoutError:
            log.warning("scheduler did not stop in time; its leases will expire and be retried")


def create_app(
    settings: Settings | None = None,
    *,
    manage_orm: bool = True,
    clock: Callable[[], datetime] = utc_now,
) -> Starlette:
    """``manage_orm=False`` when the caller (a test) has already started the ORM."""
    settings = settings or get_settings()
    view = GraphQLView(
        schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        clock=clock,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_orm:
                await stack.enter_async_context(
                    RegisterTortoise(app, config=tortoise_config(settings.database_url))
                )
            if settings.scheduler_enabled and manage_orm:
                await stack.enter_async_context(background_scheduler(settings))
            yield

    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/metrics", metrics),
        ],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=ApiKeyBackend(), on_error=on_auth_error)
        ],
        lifespan=lifespan,
    )
