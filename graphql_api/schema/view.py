"""The /graphql endpoint: strawberry's ASGI view behind API-key authentication."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UNSET, UnsetType

from graphql_api.clock import utc_now
from graphql_api.fleet.base import Fleet
from graphql_api.schema.context import Context, Loaders
from graphql_api.schema.errors import UnauthenticatedError
from graphql_api.services.authentication import authenticate
from graphql_api.settings import Settings
from graphql_api.web.authentication import (
    AuthenticatedUser,
    coded_error_response,
    unauthenticated_response,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
JSON = "application/json"


def negotiate_media_type(accept: str | None) -> str:
    """The GraphQL-over-HTTP response type for an Accept header: the newer
    ``application/graphql-response+json`` when the client names it and likes it
    at least as much as ``application/json``; ``application/json`` otherwise
    (no Accept header, ``*/*``, or ``application/json`` preferred)."""
    best: dict[str, tuple[int, float]] = {}  # media type -> (specificity, q)
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        for candidate in (GRAPHQL_RESPONSE_JSON, JSON):
            specificity = 2 if media == candidate else 1 if media in {"application/*", "*/*"} else 0
            if specificity and specificity > best.get(candidate, (0, 0.0))[0]:
                best[candidate] = (specificity, q)
    graphql_q = best.get(GRAPHQL_RESPONSE_JSON, (0, 0.0))
    json_q = best.get(JSON, (0, 0.0))[1]
    if graphql_q[0] == 2 and graphql_q[1] > 0 and graphql_q[1] >= json_q:
        return GRAPHQL_RESPONSE_JSON
    return JSON


def is_request_error(response: GraphQLHTTPResponse) -> bool:
    """Nothing was executed: the document did not parse or validate, or the
    variables did not coerce. Such errors have no ``path``; field errors do."""
    errors: list[Any] = list(response.get("errors") or [])
    return bool(errors) and response.get("data") is None and all("path" not in e for e in errors)


class _SubResponse(Response):
    """The response headers resolvers may set, plus the negotiated media type."""

    negotiated_media_type = JSON


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        *args: object,
        settings: Settings,
        fleet: Fleet,
        clock: Callable[[], datetime] = utc_now,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock = clock
        self.settings = settings
        self.fleet = fleet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not isinstance(scope.get("user"), AuthenticatedUser):
            request = Request(scope, receive)
            # Anyone may load the GraphiQL page; every operation needs a key.
            if self.graphql_ide and self.should_render_graphql_ide(
                self.request_adapter_class(request)
            ):
                response = await self.render_graphql_ide(request)
            else:
                response = unauthenticated_response(request)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response | WebSocket:
        """Strawberry answers a malformed request in plain text; clients get
        the GraphQL error shape with a stable code instead."""
        try:
            return await super().run(request, context, root_value)  # type: ignore[arg-type]
        except HTTPException as exc:
            return coded_error_response(
                exc.status_code, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason
            )

    def parse_json(self, data: str | bytes) -> dict[str, Any]:
        """The body (or GET ``variables``) must be a JSON object; anything else
        is the client's mistake: a 400, never a crash."""
        try:  # bad JSON, bad UTF-8, half a character ("\ud800"), nested too deep
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise HTTPException(
                400,
                "The request body is not valid JSON: UTF-8, whole characters, and not "
                "nested too deep.",
            ) from None
        if not isinstance(value, dict):
            raise HTTPException(
                400, 'The request body must be a JSON object such as {"query": "..."}.'
            )
        return value

    def encode_http_json(self, data: object) -> bytes:
        """An HTTP response body (WebSocket messages stay text frames, from
        ``encode_json``). orjson: a page of 100 rows encodes in a tenth of the
        time; only a number beyond 64 bits (a BigInt) makes it refuse, and the
        standard library writes those."""
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = _SubResponse()
        sub_response.status_code = None  # type: ignore[assignment]
        del sub_response.headers["content-length"]
        sub_response.negotiated_media_type = negotiate_media_type(request.headers.get("accept"))
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """GraphQL over HTTP: with ``application/graphql-response+json``, a
        request error is a 400 without a ``data`` entry; ``application/json``
        keeps 200 for every GraphQL response (strawberry's behaviour)."""
        response = Response(self.encode_http_json(response_data), media_type=JSON)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        if getattr(sub_response, "negotiated_media_type", JSON) != GRAPHQL_RESPONSE_JSON:
            return response
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        if isinstance(response_data, dict) and is_request_error(response_data):
            without_data: dict[str, Any] = {k: v for k, v in response_data.items() if k != "data"}
            response.body = self.encode_http_json(without_data)
            response.headers["content-length"] = str(len(response.body))
            if not sub_response.status_code:
                response.status_code = 400
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        user = request.scope.get("user")
        principal = user.principal if isinstance(user, AuthenticatedUser) else None
        if principal is None and not isinstance(request, WebSocket):
            raise UnauthenticatedError()
        return Context(
            authenticated=principal,
            request=request,
            response=response,
            loaders=Loaders(fleet=self.fleet),
            clock=self.clock,
            settings=self.settings,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a WebSocket: the key may come in the
        connection_init payload instead, as {"Authorization": "Bearer ..."}."""
        if context.authenticated is None:
            params = context.connection_params or {}
            header = params.get("Authorization") or params.get("authorization")
            principal = await authenticate(
                header if isinstance(header, str) else None, self.clock()
            )
            if principal is None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
            context.authenticated = principal
        return UNSET
