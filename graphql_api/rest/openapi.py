"""The OpenAPI 3.0 document of this API, built from the route table
(operations.py) and the shapes (schemas.py): it cannot drift from the code."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from graphql_api.rest.media import ERROR_MEDIA_TYPE, MEDIA_TYPE, VERSION
from graphql_api.rest.operations import OPERATIONS, PREFIX, Operation
from graphql_api.rest.pagination import DEFAULT_ITEMS, MAX_ITEMS, MAX_PAGE
from graphql_api.rest.params import PATH_PARAMETERS
from graphql_api.rest.schemas import SHAPES, Prop, Shape

OPENAPI_PATH = PREFIX + "/openapi.json"

# What each status means here (the ApiError says which case).
STATUS_TEXT = {
    400: "Bad Request: a parameter or the body is not valid.",
    401: "Unauthorized: no valid API key.",
    402: "Payment Required: listed as Atlas lists it; this server never answers it.",
    403: "Forbidden: the caller's role does not allow this.",
    404: "Not Found: unknown, or not visible to the caller (both answer alike).",
    406: "Not Acceptable: Accept does not name this API's version.",
    409: "Conflict: the resource's state refuses the request.",
    415: "Unsupported Media Type: the body is not this API's media type.",
    429: "Too Many Requests: the key's rate limit is spent; retry after Retry-After.",
    500: "Internal Server Error: logged with the error id in the detail.",
}


def prop_schema(prop: Prop) -> dict[str, Any]:
    if prop.ref is not None:
        return {"$ref": f"#/components/schemas/{prop.ref}"}
    schema: dict[str, Any] = {} if prop.type == "any" else {"type": prop.type}
    for key, value in (
        ("format", prop.format),
        ("pattern", prop.pattern),
        ("default", prop.default),
        ("minimum", prop.minimum),
        ("minLength", prop.min_length),
        ("maxLength", prop.max_length),
        ("description", prop.description or None),
    ):
        if value is not None:
            schema[key] = value
    if prop.enum is not None:
        schema["enum"] = list(prop.enum)
    if prop.items is not None:
        schema["items"] = prop_schema(prop.items)
    if prop.read_only:
        schema["readOnly"] = True
    if prop.write_only:
        schema["writeOnly"] = True
    return schema


def shape_schema(shape: Shape) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: prop_schema(p) for name, p in shape.properties.items()},
    }
    if shape.required:
        schema["required"] = list(shape.required)
    if shape.description:
        schema["description"] = shape.description
    if shape.read_only:
        schema["readOnly"] = True
    if shape.write_only:
        schema["writeOnly"] = True
    return schema


def _ref(shape: Shape) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{shape.name}"}


def _flag(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "boolean", "default": False},
    }


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name, (pattern, _) in PATH_PARAMETERS.items():
        if "{" + name + "}" in op.path:
            params.append(
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": pattern}}
            )  # fmt: skip
    if op.paginated:
        params += [
            {"name": "includeCount", "in": "query", "required": False,
             "schema": {"type": "boolean", "default": True}},
            {"name": "itemsPerPage", "in": "query", "required": False,
             "schema": {"type": "integer", "default": DEFAULT_ITEMS, "minimum": 1,
                        "maximum": MAX_ITEMS}},
            {"name": "pageNum", "in": "query", "required": False,
             "schema": {"type": "integer", "default": 1, "minimum": 1, "maximum": MAX_PAGE}},
        ]  # fmt: skip
    params.append(_flag("envelope", "Put the HTTP status in the body."))
    if op.pretty:
        params.append(_flag("pretty", "Indent the JSON body."))
    return params


def _operation(op: Operation) -> dict[str, Any]:
    rate_headers = {
        name: {"schema": {"type": "integer"}} for name in ("RateLimit-Limit", "RateLimit-Remaining")
    }
    success: dict[str, Any] = {"description": "OK", "headers": rate_headers}
    if op.response is None:
        success["description"] = "No Content"
    else:
        success["content"] = {MEDIA_TYPE: {"schema": _ref(op.response)}}
    responses: dict[str, Any] = {str(op.status): success}
    error_content = {ERROR_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    codes = set(op.errors) | {406} | ({415} if op.request is not None else set())
    for code in sorted(codes):
        response: dict[str, Any] = {"description": STATUS_TEXT[code], "content": error_content}
        if code == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        responses[str(code)] = response
    document: dict[str, Any] = {
        "operationId": op.operation_id,
        "x-xgen-operation-id-override": op.sdk_name,
        "summary": op.summary,
        "x-rolesRequirements": [op.role],
        "parameters": _parameters(op),
        "responses": responses,
    }
    if op.request is not None:
        document["requestBody"] = {
            "required": True,
            "content": {MEDIA_TYPE: {"schema": _ref(op.request)}},
        }
    return document


def build_document(server_url: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Flex backup service: Atlas Administration API v2 (Flex clusters, backups)",
            "version": VERSION,
            "description": "Atlas-compatible operations for Flex clusters and Flex backups.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "security": [{"DigestAuth": []}, {"BearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": {shape.name: shape_schema(shape) for shape in SHAPES},
            "securitySchemes": {
                "DigestAuth": {
                    "type": "http",
                    "scheme": "digest",
                    "description": "An API key pair: public key as user, private key as password.",
                },
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key of this service (fbk_...).",
                },
            },
        },
    }


async def openapi_json(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    return JSONResponse(build_document(settings.public_url or str(request.base_url)))
