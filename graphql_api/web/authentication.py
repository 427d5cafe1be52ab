"""Authentication as a Starlette backend: Bearer API keys, HTTP Digest with
API key pairs, and Bearer OAuth2 access tokens issued to key pairs."""

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
from graphql_api.domain import oauth
from graphql_api.rest import auth as rest_auth
from graphql_api.rest.operations import PREFIX as REST_PREFIX
from graphql_api.rest.operations import error_response as rest_error
from graphql_api.services.authentication import Principal, authenticate
from graphql_api.services.key_pairs import StaleNonce, authenticate_digest
from graphql_api.services.oauth import authenticate_token
from graphql_api.settings import Settings, get_settings
from graphql_api.web.oauth import TOKEN_PATH

UNAUTHENTICATED_MESSAGE = (
    "A valid API key is required: send 'Authorization: Bearer <api key or OAuth2 access "
    "token>', or HTTP Digest with an API key pair."
)


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
    """Bearer API keys or OAuth2 access tokens, and HTTP Digest with API key pairs."""

    def __init__(self, clock: Clock = utc_now, settings: Settings | None = None) -> None:
        self.clock = clock
        self.settings = settings

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None or conn.scope["path"] == TOKEN_PATH:
            return None  # the token endpoint authenticates its clients itself
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "digest":
            principal = await self._digest(conn, header)
        elif scheme.lower() == "bearer" and oauth.looks_like_token(credentials.strip()):
            settings = self.settings or get_settings()
            principal = await authenticate_token(credentials.strip(), self.clock(), settings)
        else:
            principal = await authenticate(header, self.clock())
        if principal is None:
            raise AuthenticationError(
                "The API key or token is missing, malformed, expired, unknown or revoked."
            )
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


def unauthenticated_response(
    conn: HTTPConnection, detail: str = UNAUTHENTICATED_MESSAGE
) -> Response:
    """A 401 with a challenge per scheme /graphql accepts: Bearer (API keys and
    OAuth2 access tokens) first, as GraphQL clients use it, then Digest."""
    response = coded_error_response(401, "UNAUTHENTICATED", detail)
    for challenge in reversed(rest_auth.challenges(conn)):
        response.raw_headers.append((b"www-authenticate", challenge.encode()))
    return response


def on_auth_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    if conn.url.path.startswith(REST_PREFIX):  # the REST API answers in its own shape
        stale = isinstance(exc, StaleCredentials)
        return rest_error(
            rest_auth.unauthenticated(conn, f"{exc} {rest_auth.UNAUTHENTICATED}", stale=stale)
        )
    return unauthenticated_response(conn, f"{exc} {UNAUTHENTICATED_MESSAGE}")
