"""Who is calling: the principal the authentication middleware found.

Authentication itself runs once per request for every interface, in the
Starlette middleware (web/authentication.py), so GraphQL and REST share one
rate budget keyed by the authenticated key. Each scheme a client may use is
listed in SCHEMES with the challenge a 401 carries:

* Bearer: this service's API keys (``Authorization: Bearer fbk_...``).
* Digest (RFC 7616, what Atlas clients send with an API key pair: public key
  as user, private key as password): services/key_pairs.py checks the
  response against the stored HA1; a 401 carries a fresh nonce
  (``stale=true`` when only the nonce expired). See README "REST API" for
  the trade-off digest imposes.
* Bearer with an OAuth2 access token (client credentials, a key pair's keys
  as client id and secret, from POST /api/oauth/token): services/oauth.py.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from graphql_api.rest.errors import ApiError
from graphql_api.services import key_pairs
from graphql_api.services.authentication import Principal

REALM = "flex-backup"
UNAUTHENTICATED = (
    "Valid credentials are required: HTTP Digest with an API key pair (public key as "
    "user, private key as password), or 'Authorization: Bearer <api key or OAuth2 access "
    "token>' (POST /api/oauth/token with the key pair as client id and secret)."
)


def challenges(conn: HTTPConnection, *, stale: bool = False) -> list[str]:
    """The WWW-Authenticate challenges of a 401, one per scheme accepted;
    Digest first, since Atlas's digest client reads only the first."""
    settings, now = conn.app.state.settings, conn.app.state.clock()
    return [key_pairs.new_challenge(settings, now, stale=stale), f'Bearer realm="{REALM}"']


def unauthenticated(
    conn: HTTPConnection, detail: str = UNAUTHENTICATED, *, stale: bool = False
) -> ApiError:
    return ApiError(401, "UNAUTHORIZED", detail, challenges=challenges(conn, stale=stale))


def principal_of(conn: HTTPConnection) -> Principal:
    """The caller, or 401 when the request carries no credentials."""
    principal = getattr(conn.scope.get("user"), "principal", None)
    if not isinstance(principal, Principal):
        raise unauthenticated(conn)
    return principal
