"""API-key authentication (Bearer keys, Digest key pairs) as a Starlette backend."""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from graphql_api.clock import Clock, utc_now
from graphql_api.rest import auth as rest_auth
from graphql_api.rest.operations import PREFIX as REST_PREFIX
from graphql_api.rest.operations import error_response as rest_error
from graphql_api.services.authentication import Principal, authenticate
from graphql_api.services.key_pairs import StaleNonce, authenticate_digest
from graphql_api.settings import Settings, get_settings

UNAUTHENTICATED_MESSAGE = "A valid API key is required: send 'Authorization: Bearer <api key>'."


class AuthenticatedUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.user.email


class StaleCredentials(AuthenticationError):
    """Digest credentials that were right, on an expired nonce."""


class ApiKeyBackend(AuthenticationBackend):
    """Bearer API keys, and HTTP Digest with API key pairs."""

    def __init__(self, clock: Clock = utc_now, settings: Settings | None = None) -> None:
        self.clock = clock
        self.settings = settings

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        if header.partition(" ")[0].lower() == "digest":
            principal = await self._digest(conn, header)
        else:
            principal = await authenticate(header, self.clock())
        if principal is None:
            raise AuthenticationError("The API key is missing, malformed, unknown or revoked.")
        return AuthCredentials(["authenticated"]), AuthenticatedUser(principal)

    async def _digest(self, conn: HTTPConnection, header: str) -> Principal | None:
        scope = conn.scope
        uri = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            uri += "?" + scope["query_string"].decode("latin-1")
        settings = self.settings or get_settings()
        try:
            return await authenticate_digest(header, scope["method"], uri, self.clock(), settings)
        except StaleNonce:
            raise StaleCredentials("The digest nonce expired; answer the new challenge.") from None


def coded_error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An HTTP-level refusal in the GraphQL response shape, so GraphQL clients
    read it like any other error. Nothing was executed, so there is no ``data``
    (GraphQL over HTTP), except on a 401, where clients have long seen null."""
    body: dict[str, object] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if status == 401:
        body = {"data": None, **body}
    return JSONResponse(body, status_code=status, headers=headers)


def unauthenticated_response(detail: str = UNAUTHENTICATED_MESSAGE) -> Response:
    return coded_error_response(
        401, "UNAUTHENTICATED", detail, {"WWW-Authenticate": 'Bearer realm="flex-backup"'}
    )


def on_auth_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    if conn.url.path.startswith(REST_PREFIX):  # the REST API answers in its own shape
        stale = isinstance(exc, StaleCredentials)
        return rest_error(
            rest_auth.unauthenticated(conn, f"{exc} {rest_auth.UNAUTHENTICATED}", stale=stale)
        )
    return unauthenticated_response(f"{exc} {UNAUTHENTICATED_MESSAGE}")
