"""Who is calling: the principal the authentication middleware found.

Authentication itself runs once per request for every interface, in the
Starlette middleware (web/authentication.py), so GraphQL and REST share one
rate budget keyed by the authenticated key. Each scheme a client may use is
listed in SCHEMES with the challenge a 401 carries:

* Bearer: this service's API keys (``Authorization: Bearer fbk_...``).
* Digest (RFC 7616, what Atlas clients send with an API key pair: public key
  as user, private key as password) plugs in as another scheme: a backend
  branch on ``Digest`` that checks the response against a stored verifier,
  and a challenge with a fresh nonce (``stale=true`` when only the nonce
  expired). See README "REST API" for the trade-off digest imposes.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from graphql_api.rest.errors import ApiError
from graphql_api.services.authentication import Principal

REALM = "flex-backup"
UNAUTHENTICATED = "A valid API key is required: send 'Authorization: Bearer <api key>'."


def challenges() -> list[str]:
    """The WWW-Authenticate challenges of a 401, one per scheme accepted."""
    return [f'Bearer realm="{REALM}"']


def unauthenticated(detail: str = UNAUTHENTICATED) -> ApiError:
    return ApiError(
        401, "UNAUTHORIZED", detail, headers={"WWW-Authenticate": ", ".join(challenges())}
    )


def principal_of(conn: HTTPConnection) -> Principal:
    """The caller, or 401 when the request carries no credentials."""
    principal = getattr(conn.scope.get("user"), "principal", None)
    if not isinstance(principal, Principal):
        raise unauthenticated()
    return principal
