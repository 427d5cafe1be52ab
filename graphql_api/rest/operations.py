"""The route table: each operation's method, path, Atlas names, shapes and
status codes. The routes and the OpenAPI document are both made from it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graphql_api.rest import handlers, lifecycle, schemas
from graphql_api.rest.auth import principal_of
from graphql_api.rest.errors import ApiError, from_service_error
from graphql_api.rest.media import ERROR_MEDIA_TYPE, check_accept, read_body, render
from graphql_api.rest.pagination import PageAsked, page_asked
from graphql_api.rest.params import Presentation, path_parameters, presentation
from graphql_api.rest.schemas import Shape
from graphql_api.rest.serializers import Urls
from graphql_api.services.errors import ServiceError

log = logging.getLogger(__name__)

PREFIX = "/api/atlas/v2"
GROUP = "/groups/{groupId}"
CLUSTER = GROUP + "/flexClusters/{name}"

Handler = Callable[[handlers.Call], Awaitable[dict[str, Any] | None]]

# Roles as Atlas's document names them (x-rolesRequirements); which of this
# service's roles may act is the service's rule (README, REST API).
READ_ONLY = "Project Read Only"
OWNER = "Project Owner"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under PREFIX
    operation_id: str
    sdk_name: str  # x-xgen-operation-id-override
    summary: str
    role: str
    handler: Handler
    response: Shape | None  # None: no body (204)
    status: int = 200
    request: Shape | None = None
    paginated: bool = False
    errors: tuple[int, ...] = (400, 401, 403, 404, 429, 500)
    pretty: bool = True  # getFlexBackupSnapshot lists envelope but not pretty


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", GROUP + "/flexClusters", "listGroupFlexClusters", "listFlexClusters",
        "Return all Flex clusters of one project.", READ_ONLY, handlers.list_flex_clusters,
        schemas.PAGE_OF_CLUSTERS, paginated=True, errors=(400, 401, 403, 404, 409, 429, 500),
    ),
    Operation(
        "POST", GROUP + "/flexClusters", "createGroupFlexCluster", "createFlexCluster",
        "Create a Flex cluster (CREATING until the data plane reports it up).", OWNER,
        lifecycle.create_flex_cluster, schemas.FLEX_CLUSTER, status=201,
        request=schemas.FLEX_CLUSTER_CREATE, errors=(400, 401, 402, 403, 404, 409, 429, 500),
    ),
    Operation(
        "GET", CLUSTER, "getGroupFlexCluster", "getFlexCluster",
        "Return one Flex cluster.", READ_ONLY, handlers.get_flex_cluster, schemas.FLEX_CLUSTER,
        errors=(400, 401, 403, 404, 409, 429, 500),
    ),
    Operation(
        "PATCH", CLUSTER, "updateGroupFlexCluster", "updateFlexCluster",
        "Change a Flex cluster's termination protection or tags.", OWNER,
        lifecycle.update_flex_cluster, schemas.FLEX_CLUSTER, request=schemas.FLEX_CLUSTER_UPDATE,
        errors=(400, 401, 402, 403, 404, 409, 429, 500),
    ),
    Operation(
        "DELETE", CLUSTER, "deleteGroupFlexCluster", "deleteFlexCluster",
        "Delete a Flex cluster (its snapshots stay until they expire).", OWNER,
        lifecycle.delete_flex_cluster, None, status=204,
        errors=(400, 401, 403, 404, 409, 429, 500),
    ),
    Operation(
        "GET", CLUSTER + "/backup/snapshots", "listGroupFlexClusterBackupSnapshots",
        "listFlexBackupSnapshots", "Return all snapshots of one Flex cluster.", READ_ONLY,
        handlers.list_snapshots, schemas.PAGE_OF_SNAPSHOTS, paginated=True,
    ),
    Operation(
        "GET", CLUSTER + "/backup/snapshots/{snapshotId}", "getGroupFlexClusterBackupSnapshot",
        "getFlexBackupSnapshot", "Return one snapshot of a Flex cluster.", READ_ONLY,
        handlers.get_snapshot, schemas.SNAPSHOT, pretty=False,
    ),
    Operation(
        "POST", CLUSTER + "/backup/download", "downloadGroupFlexClusterBackup",
        "downloadFlexBackup", "Request a download link for one snapshot.",
        "Project Backup Export Operator", handlers.download, schemas.RESTORE_JOB,
        request=schemas.DOWNLOAD_CREATE, errors=(400, 401, 403, 404, 409, 429, 500),
    ),
    Operation(
        "GET", CLUSTER + "/backup/restoreJobs", "listGroupFlexClusterBackupRestoreJobs",
        "listFlexRestoreJobs", "Return the restore and download jobs of one Flex cluster.",
        READ_ONLY, handlers.list_restore_jobs, schemas.PAGE_OF_JOBS, paginated=True,
    ),
    Operation(
        "POST", CLUSTER + "/backup/restoreJobs", "createGroupFlexClusterBackupRestoreJob",
        "createFlexRestoreJob", "Restore a snapshot onto a cluster (overwrites its data).",
        "Project Backup Recovery Operator", handlers.create_restore_job, schemas.RESTORE_JOB,
        request=schemas.RESTORE_JOB_CREATE, errors=(400, 401, 403, 404, 409, 429, 500),
    ),
    Operation(
        "GET", CLUSTER + "/backup/restoreJobs/{restoreJobId}",
        "getGroupFlexClusterBackupRestoreJob", "getFlexRestoreJob",
        "Return one restore or download job of a Flex cluster.", READ_ONLY,
        handlers.get_restore_job, schemas.RESTORE_JOB,
    ),
    Operation(
        "POST", GROUP + "/flexClusters:tenantUpgrade", "tenantGroupFlexClusterUpgrade",
        "tenantUpgrade", "Upgrade a Flex cluster to a dedicated (M10+) cluster.",
        "Project Cluster Manager", lifecycle.tenant_upgrade, schemas.FLEX_CLUSTER,
        request=schemas.TENANT_UPGRADE, errors=(400, 401, 402, 403, 404, 409, 429, 500),
    ),
)  # fmt: skip


def error_response(error: ApiError, shown: Presentation | None = None) -> Response:
    """An ApiError as the response (JSON, as Atlas sends errors)."""
    shown = shown or Presentation()
    response = render(
        error.status,
        error.body(),
        pretty=shown.pretty,
        envelope=shown.envelope,
        media_type=ERROR_MEDIA_TYPE,
        headers=error.headers,
    )
    for challenge in error.challenges:
        response.raw_headers.append((b"www-authenticate", challenge.encode()))
    return response


def base_url(request: Request) -> str:
    """PUBLIC_URL, else this request's own origin (as download links do)."""
    settings = request.app.state.settings
    return settings.public_url or str(request.base_url)


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        shown = Presentation()
        try:
            check_accept(request)
            shown = presentation(request)
            principal = principal_of(request)
            call = handlers.Call(
                request=request,
                principal=principal,
                path=path_parameters(request),
                settings=request.app.state.settings,
                now=request.app.state.clock(),
                urls=Urls(base_url(request)),
                page=page_asked(request) if op.paginated else PageAsked(),
                body=await read_body(request) if op.request is not None else {},
            )
            result = await op.handler(call)
        except ApiError as error:
            return error_response(error, shown)
        except ServiceError as error:
            return error_response(from_service_error(error), shown)
        except Exception:
            error_id = uuid.uuid4().hex
            log.exception("Unexpected error %s in %s %s", error_id, op.method, request.url.path)
            return error_response(
                ApiError(
                    500,
                    "UNEXPECTED_ERROR",
                    f"Unexpected error; it was logged with id {error_id}.",
                    parameters=[error_id],
                ),
                shown,
            )
        if result is None:
            return Response(status_code=op.status)
        return render(op.status, result, pretty=shown.pretty, envelope=shown.envelope)

    handle.__name__ = op.operation_id
    return handle


async def not_found(request: Request) -> Response:
    """Anything else under the prefix: an ApiError, not an HTML page."""
    return error_response(
        ApiError(404, "RESOURCE_NOT_FOUND", f"No resource at {request.url.path[:200]}."),
        Presentation(),
    )


METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def rest_routes() -> list[BaseRoute]:
    """The operations, grouped by path (one route answers each path's methods;
    another method is a 405 ApiError naming the allowed ones)."""
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method] = endpoint(op)
    return [
        Route(PREFIX + path, _dispatch(methods), methods=METHODS)
        for path, methods in by_path.items()
    ]


def _dispatch(
    methods: dict[str, Callable[[Request], Awaitable[Response]]],
) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        handle = methods.get("GET" if request.method == "HEAD" else request.method)
        if handle is not None:
            return await handle(request)
        allowed = ", ".join(methods)
        return error_response(
            ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not served at this path (allowed: {allowed}).",
                headers={"Allow": allowed},
            )
        )

    return dispatch
