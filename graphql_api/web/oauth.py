"""POST /api/oauth/token: the OAuth2 token endpoint (client credentials), at
the path Atlas serves it, answered as RFC 6749 §5 says (never cached)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphql_api.domain import oauth
from graphql_api.services.oauth import issue_token

TOKEN_PATH = "/api/oauth/token"  # noqa: S105 (a path, not a secret)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM = "application/x-www-form-urlencoded"


async def token(request: Request) -> Response:
    try:
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != FORM:
            raise oauth.TokenError("invalid_request", f"The body must be {FORM}.")
        credentials = oauth.token_request(
            await request.body(), request.headers.get("authorization")
        )
        state = request.app.state
        issued = await issue_token(credentials, state.clock(), state.settings)
    except oauth.TokenError as error:
        return _error(error)
    return JSONResponse(issued.body(), headers=NO_STORE)


def _error(error: oauth.TokenError) -> Response:
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="flex-backup"'
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, status_code=error.status, headers=headers)


def oauth_routes() -> list[Route]:
    return [Route(TOKEN_PATH, token, methods=["POST"])]
