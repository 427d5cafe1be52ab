"""The baseline: plain Starlette JSON endpoints returning the same rows from the
same database through the same ORM, services and API-key check as /graphql.

The GraphQL / baseline ratio is then the cost of the GraphQL layer itself
(parsing, validation, resolvers, serialisation), not of the data access.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise

from graphql_api.clock import utc_now
from graphql_api.db import tortoise_config
from graphql_api.domain import policy
from graphql_api.domain.locations import STORAGE_LOCATION_RULES, storage_location_for_region
from graphql_api.models import Cluster, Snapshot
from graphql_api.services import clusters as cluster_service
from graphql_api.services import projects as project_service
from graphql_api.services import snapshots as snapshot_service
from graphql_api.services.paging import PageRequest, read_pages
from graphql_api.settings import get_settings
from graphql_api.web.authentication import ApiKeyBackend, AuthenticatedUser, on_auth_error

_NAMES = {rule.location: rule.name for rule in STORAGE_LOCATION_RULES}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _location(location: Any) -> dict[str, str]:
    return {"id": location.value, "name": _NAMES[location]}


def _snapshot(s: Snapshot) -> dict[str, Any]:
    return {
        "id": s.id, "status": s.status.value, "scheduledTime": _iso(s.scheduled_time),
        "startTime": _iso(s.start_time), "finishTime": _iso(s.finish_time),
        "expiration": _iso(s.expiration), "mongoDBVersion": s.mongodb_version,
        "sourceNodeHostname": s.source_node, "storageLocation": _location(s.storage_location),
        "sizeBytes": s.size_bytes, "sha256": s.sha256,
    }  # fmt: skip


async def _project(request: Request) -> Any:
    user = request.scope["user"]
    assert isinstance(user, AuthenticatedUser)
    return await project_service.get_project(user.principal, request.query_params["projectId"])


async def backup_tab(request: Request) -> JSONResponse:
    project = await _project(request)
    cluster = project and await cluster_service.get_cluster(project, request.query_params["name"])
    if cluster is None:
        return JSONResponse({"cluster": None})
    found = policy.flex_backup_policy(
        cluster.tier, cluster.created_at, cluster.backup_enabled, utc_now()
    )
    assert found is not None
    listing = snapshot_service.snapshots_of_clusters()
    request_page = PageRequest(first=int(request.query_params["first"]))
    page = (await read_pages(listing, [cluster.id], request_page))[cluster.id]
    location = storage_location_for_region(cluster.cloud_provider, cluster.region)
    return JSONResponse({"cluster": {
        "id": cluster.id, "name": cluster.name, "tier": cluster.tier.value,
        "stateName": cluster.state.value, "mongoDBVersion": cluster.mongodb_version,
        "createDate": _iso(cluster.created_at), "snapshotStorageLocation": _location(location),
        "backupPolicy": {
            "enabled": found.enabled, "frequencyIntervalHours": found.frequency_hours,
            "snapshotTimeOfDayUtc": found.time_of_day_utc.isoformat(timespec="seconds"),
            "retainedSnapshots": found.retained_snapshots,
            "firstSnapshotTime": _iso(found.first_snapshot_time),
            "nextSnapshotTime": _iso(found.next_snapshot_time),
            "customPolicies": {"supported": False, "reason": policy.NO_CUSTOM_POLICY},
            "onDemandSnapshots": {"supported": False, "reason": policy.NO_ON_DEMAND},
        },
        "snapshots": {
            "totalCount": await page.count(),
            "pageInfo": {"hasNextPage": page.has_next_page,
                         "endCursor": page.cursors[-1] if page.cursors else None},
            "nodes": [_snapshot(s) for s in page.items],
        },
    }})  # fmt: skip


async def daily_snapshots(request: Request) -> JSONResponse:
    project = await _project(request)
    if project is None:
        return JSONResponse({"project": None})
    listing = snapshot_service.snapshots_of_projects()
    request_page = PageRequest(first=int(request.query_params["first"]))
    page = (await read_pages(listing, [project.id], request_page))[project.id]
    # One query for the page's clusters, as the GraphQL cluster DataLoader does.
    ids = list({s.cluster_id for s in page.items})
    clusters = {c.id: c for c in await Cluster.filter(id__in=ids)}
    nodes = []
    for s in page.items:
        row = _snapshot(s)
        for unused in ("startTime", "sourceNodeHostname", "sha256"):
            del row[unused]
        row["cluster"] = {"name": clusters[s.cluster_id].name}
        nodes.append(row)
    return JSONResponse({"project": {"snapshots": {
        "pageInfo": {"hasNextPage": page.has_next_page,
                     "endCursor": page.cursors[-1] if page.cursors else None},
        "nodes": nodes,
    }}})  # fmt: skip


async def storage_locations(request: Request) -> JSONResponse:
    return JSONResponse({"storageLocations": [
        {"id": r.location.value, "name": r.name, "countries": list(r.countries),
         "isDefault": r.is_default}
        for r in STORAGE_LOCATION_RULES
    ]})  # fmt: skip


def create_app(*, manage_orm: bool = True) -> Starlette:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_orm:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            yield

    return Starlette(
        routes=[
            Route("/backup-tab", backup_tab),
            Route("/daily-snapshots", daily_snapshots),
            Route("/storage-locations", storage_locations),
            Route("/healthz", lambda request: JSONResponse({"status": "ok"})),
        ],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=ApiKeyBackend(), on_error=on_auth_error)
        ],
        lifespan=lifespan,
    )
