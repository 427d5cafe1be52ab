"""Everything the REST API mounts: its operations, its OpenAPI document, and
an ApiError for any other path under its prefix."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from graphql_api.rest.openapi import OPENAPI_PATH, openapi_json
from graphql_api.rest.operations import METHODS, PREFIX, not_found, rest_routes


def routes() -> list[BaseRoute]:
    return [
        *rest_routes(),
        Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
        Route(PREFIX + "/{path:path}", not_found, methods=METHODS),
        Route(PREFIX, not_found, methods=METHODS),
    ]
