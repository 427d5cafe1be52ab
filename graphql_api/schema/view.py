"""The /graphql endpoint: strawberry's ASGI view behind API-key authentication."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from graphql_api.auth import AuthenticatedUser, unauthenticated_response
from graphql_api.schema.context import Context, utc_now
from graphql_api.schema.errors import UnauthenticatedError
from graphql_api.services.access import load_principal
from graphql_api.services.auth import authenticate
from graphql_api.settings import Settings


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        *args: object,
        settings: Settings,
        clock: Callable[[], datetime] = utc_now,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock = clock
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not isinstance(scope.get("user"), AuthenticatedUser):
            request = Request(scope, receive)
            # Anyone may load the GraphiQL page; every operation needs a key.
            if self.graphql_ide and self.should_render_graphql_ide(
                self.request_adapter_class(request)
            ):
                response = await self.render_graphql_ide(request)
            else:
                response = unauthenticated_response()
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

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
            clock=self.clock,
            settings=self.settings,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a WebSocket: the key may come in the
        connection_init payload instead, as {"Authorization": "Bearer ..."}."""
        if context.authenticated is None:
            params = context.connection_params or {}
            header = params.get("Authorization") or params.get("authorization")
            user = await authenticate(header if isinstance(header, str) else None)
            if user is None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
            context.authenticated = await load_principal(user)
        return UNSET
