"""Liveness, readiness and metrics: what orchestrators and Prometheus ask."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import connections


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
