"""The practical limit: a bare ASGI app on asyncpg that answers (a) and (b)
with the same JSON as /graphql, so the gap to it is what our stack costs.

It authenticates exactly as our server does (``fbk_<key id>_<secret>``: the
key row by id, not revoked, SHA-256 of the secret compared in constant time,
then the caller's roles; the project must be readable by them), reusing the
pure rules of ``graphql_api.domain`` for the key format, roles, backup
policy and storage locations, so any difference left is the stack. It needs
nothing from services/ or schema/, which may move under it; the answer check
(bench/answers.py) catches any drift from our JSON, cursors included.
No ORM, no framework, one prepared statement per query (asyncpg caches
them), orjson when installed, else the standard ``json``.

    uvicorn bench.raw_app:create_app --factory    # DATABASE_URL from the environment
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import asyncpg  # type: ignore[import-untyped]

from graphql_api.clock import utc_now
from graphql_api.domain import api_keys, policy, roles
from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.ids import is_valid_id
from graphql_api.domain.locations import (
    STORAGE_LOCATION_RULES,
    StorageLocation,
    storage_location_for_region,
)
from graphql_api.domain.names import could_be_stored
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.settings import get_settings

try:
    import orjson  # type: ignore[import-not-found,unused-ignore]

    JSON_LIBRARY = "orjson"

    def _dumps(value: Any) -> bytes:
        return orjson.dumps(value)
except ImportError:  # not a dependency of the project: the standard library then
    JSON_LIBRARY = "json"

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
POOL_SIZE = 5  # Tortoise's default pool for one of our workers

_NAMES = {rule.location: rule.name for rule in STORAGE_LOCATION_RULES}

SQL_KEY = "SELECT user_id, secret_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL"
SQL_ROLES = """
SELECT 'org' AS kind, organization_id AS id, role FROM org_memberships WHERE user_id = $1
UNION ALL
SELECT 'project', project_id, role FROM project_memberships WHERE user_id = $1
"""
SQL_PROJECT = "SELECT id, organization_id FROM projects WHERE id = $1"
SQL_CLUSTER = """
SELECT id, name, tier, state, mongodb_version, created_at, cloud_provider, region, backup_enabled
FROM clusters WHERE project_id = $1 AND name = $2
"""
# count(*) OVER () is computed before LIMIT: the cluster's total in the same query.
SQL_CLUSTER_SNAPSHOTS = """
SELECT id, status, scheduled_time, start_time, finish_time, expiration, mongodb_version,
       source_node, storage_location, size_bytes, sha256, count(*) OVER () AS total
FROM snapshots WHERE cluster_id = $1
ORDER BY scheduled_time DESC, id DESC LIMIT $2
"""
SQL_PROJECT_SNAPSHOTS = """
SELECT s.id, s.status, s.scheduled_time, s.finish_time, s.expiration, s.mongodb_version,
       s.size_bytes, s.storage_location, c.name AS cluster_name
FROM snapshots s JOIN clusters c ON c.id = s.cluster_id
WHERE s.project_id = $1
ORDER BY s.scheduled_time DESC, s.id DESC LIMIT $2
"""


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _location(value: str) -> dict[str, str]:
    location = StorageLocation(value)
    return {"id": location.value, "name": _NAMES[location]}


def _cursor(scheduled_time: datetime, snapshot_id: str) -> str:
    """Our cursor format: URL-safe base64 of the JSON sort key, unpadded."""
    raw = json.dumps([scheduled_time.isoformat(), snapshot_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _page_info(rows: list[Any], size: int) -> dict[str, Any]:
    last = rows[min(len(rows), size) - 1] if rows and size else None
    return {
        "hasNextPage": len(rows) > size,
        "endCursor": None if last is None else _cursor(last["scheduled_time"], last["id"]),
    }


def _first(params: dict[str, list[str]]) -> int:
    try:
        size = int(params["first"][0])
    except (KeyError, ValueError):
        raise HttpError(400, "first is required") from None
    if not 0 <= size <= get_settings().max_page_size:
        raise HttpError(400, "first is out of range")
    return size


async def _readable_project(conn: Any, authorization: str | None, project_id: str) -> Any:
    """The project row if the key is valid and its user may read it, else None;
    an invalid key is a 401, as in graphql_api.services.auth.authenticate."""
    scheme, _, token = (authorization or "").partition(" ")
    parsed = api_keys.parse_key(token.strip()) if scheme.lower() == "bearer" else None
    key = None if parsed is None else await conn.fetchrow(SQL_KEY, parsed.key_id)
    if parsed is None or key is None or not api_keys.secret_matches(parsed.secret, key[1]):
        raise HttpError(401, "The API key is missing, malformed, unknown or revoked.")
    if not is_valid_id(project_id):
        raise HttpError(400, "Project id is not a valid id.")
    org_roles: dict[str, set[OrgRole]] = {}
    project_roles: dict[str, set[ProjectRole]] = {}
    for kind, held_in, role in await conn.fetch(SQL_ROLES, key[0]):
        if kind == "org":
            org_roles.setdefault(held_in, set()).add(OrgRole(role))
        else:
            project_roles.setdefault(held_in, set()).add(ProjectRole(role))
    project = await conn.fetchrow(SQL_PROJECT, project_id)
    if project is None:
        return None
    held = org_roles.get(project["organization_id"], set()), project_roles.get(project_id, set())
    return project if roles.can_read_project(*held) else None


async def backup_tab(conn: Any, params: dict[str, list[str]], authorization: str | None) -> Any:
    size = _first(params)
    project = await _readable_project(conn, authorization, params.get("projectId", [""])[0])
    name = params.get("name", [""])[0]
    c = project and could_be_stored(name) and await conn.fetchrow(SQL_CLUSTER, project["id"], name)
    if not c:
        return {"cluster": None}
    found = policy.flex_backup_policy(
        ClusterTier(c["tier"]), c["created_at"], c["backup_enabled"], utc_now()
    )
    assert found is not None, "the bench seeds Flex clusters only"
    rows = await conn.fetch(SQL_CLUSTER_SNAPSHOTS, c["id"], size + 1)
    location = storage_location_for_region(CloudProvider(c["cloud_provider"]), c["region"])
    return {"cluster": {
        "id": c["id"], "name": c["name"], "tier": c["tier"], "stateName": c["state"],
        "mongoDBVersion": c["mongodb_version"], "createDate": _iso(c["created_at"]),
        "snapshotStorageLocation": _location(location),
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
            "totalCount": rows[0]["total"] if rows else 0,
            "pageInfo": _page_info(rows, size),
            "nodes": [{
                "id": s["id"], "status": s["status"], "scheduledTime": _iso(s["scheduled_time"]),
                "startTime": _iso(s["start_time"]), "finishTime": _iso(s["finish_time"]),
                "expiration": _iso(s["expiration"]), "mongoDBVersion": s["mongodb_version"],
                "sourceNodeHostname": s["source_node"],
                "storageLocation": _location(s["storage_location"]),
                "sizeBytes": s["size_bytes"], "sha256": s["sha256"],
            } for s in rows[:size]],
        },
    }}  # fmt: skip


async def daily_snapshots(
    conn: Any, params: dict[str, list[str]], authorization: str | None
) -> Any:
    size = _first(params)
    project = await _readable_project(conn, authorization, params.get("projectId", [""])[0])
    if project is None:
        return {"project": None}
    rows = await conn.fetch(SQL_PROJECT_SNAPSHOTS, project["id"], size + 1)
    return {"project": {"snapshots": {
        "pageInfo": _page_info(rows, size),
        "nodes": [{
            "id": s["id"], "status": s["status"], "scheduledTime": _iso(s["scheduled_time"]),
            "finishTime": _iso(s["finish_time"]), "expiration": _iso(s["expiration"]),
            "mongoDBVersion": s["mongodb_version"], "sizeBytes": s["size_bytes"],
            "storageLocation": _location(s["storage_location"]),
            "cluster": {"name": s["cluster_name"]},
        } for s in rows[:size]],
    }}}  # fmt: skip


ROUTES = {"/backup-tab": backup_tab, "/daily-snapshots": daily_snapshots}


async def _respond(send: Send, status: int, body: Any) -> None:
    payload = _dumps(body)
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": payload})


def create_app() -> Callable[..., Awaitable[None]]:
    state: dict[str, Any] = {}

    async def app(scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                if message["type"] == "lifespan.startup":
                    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
                    state["pool"] = await asyncpg.create_pool(
                        url, min_size=POOL_SIZE, max_size=POOL_SIZE
                    )
                    await send({"type": "lifespan.startup.complete"})
            await state["pool"].close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] == "/healthz":
            await _respond(send, 200, {"status": "ok"})
            return
        handler = ROUTES.get(scope["path"])
        if handler is None:
            await _respond(send, 404, {"error": "not found"})
            return
        params = parse_qs(scope["query_string"].decode())
        authorization = next(
            (v.decode() for k, v in scope["headers"] if k == b"authorization"), None
        )
        try:
            async with state["pool"].acquire() as conn:
                body = await handler(conn, params, authorization)
        except HttpError as exc:
            await _respond(send, exc.status, {"error": str(exc)})
            return
        await _respond(send, 200, body)

    return app
