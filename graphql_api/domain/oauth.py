"""OAuth2 client credentials (RFC 6749 §4.4), the rules without I/O: reading
the client's credentials from a token request, and the access tokens.

An access token is a JWT (RFC 7519, HS256) signed with a key derived from
the server's signing key: the credential's id as ``sub``, ``iat`` and
``exp``. It only names the credential; whether the credential is still
live and what its holder may do are read from the database at every use,
so a revoked key pair or a removed role stops its tokens at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

import jwt

ISSUER = "flex-backup"
ALGORITHM = "HS256"
GRANT_TYPE = "client_credentials"
MAX_CREDENTIAL_LENGTH = 256
CLOCK_SKEW_SECONDS = 60  # a token issued by a replica whose clock is a little ahead


class TokenError(Exception):
    """An error response of RFC 6749 §5.2: its ``error`` code, a description
    and the HTTP status (401 for invalid_client, 400 otherwise)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str


def invalid_client(description: str = "Client authentication failed.") -> TokenError:
    return TokenError("invalid_client", description, 401)


def token_request(body: bytes, authorization: str | None) -> ClientCredentials:
    """The client's credentials from an ``application/x-www-form-urlencoded``
    token request (HTTP Basic, or client_id and client_secret in the body,
    RFC 6749 §2.3.1), once its grant type is checked; TokenError otherwise."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise TokenError("invalid_request", "The body must be form-encoded (UTF-8).") from None
    names = [name for name, _ in pairs]
    if repeated := sorted({n for n in names if names.count(n) > 1}):
        raise TokenError("invalid_request", f"Parameters sent more than once: {repeated}.")
    form = dict(pairs)
    grant = form.get("grant_type")
    if not grant:
        raise TokenError("invalid_request", "grant_type is required (client_credentials).")
    if grant != GRANT_TYPE:
        raise TokenError(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    in_body = "client_id" in form or "client_secret" in form
    if authorization is not None and authorization.partition(" ")[0].lower() == "basic":
        if in_body:
            raise TokenError(
                "invalid_request", "Authenticate the client one way: HTTP Basic or the body."
            )
        return _basic(authorization)
    if not in_body:
        raise invalid_client("Send the client id and secret with HTTP Basic or in the body.")
    return _checked(ClientCredentials(form.get("client_id", ""), form.get("client_secret", "")))


def _basic(authorization: str) -> ClientCredentials:
    """``Basic base64(urlencode(id):urlencode(secret))`` (RFC 6749 §2.3.1)."""
    encoded = authorization.partition(" ")[2].strip()
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise TokenError("invalid_client", "The Basic credentials are malformed.", 401)
    return _checked(ClientCredentials(unquote_plus(client_id), unquote_plus(secret)))


def _checked(credentials: ClientCredentials) -> ClientCredentials:
    if not credentials.client_id or not credentials.client_secret:
        raise invalid_client("Both the client id and the client secret are required.")
    id_and_secret = (credentials.client_id, credentials.client_secret)
    if any(len(part) > MAX_CREDENTIAL_LENGTH or "\x00" in part for part in id_and_secret):
        raise invalid_client()  # no such client (and nothing a database could look up)
    return credentials


def token_key(signing_key: str) -> bytes:
    """The key access tokens are signed with, derived from the server's
    signing key so no other signed thing (download links, nonces) is one."""
    return hmac.new(signing_key.encode(), b"oauth-access-token", hashlib.sha256).digest()


def new_token(key: bytes, credential_id: str, now: float, ttl_seconds: int) -> str:
    issued = int(now)
    claims = {
        "iss": ISSUER,
        "sub": credential_id,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def credential_of(key: bytes, token: str, now: float) -> str | None:
    """The credential id a token was issued to, or None when the token is
    malformed, signed with another key or algorithm, or expired (at ``now``,
    the server's clock)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["iss", "sub", "iat", "exp"], "verify_exp": False,
                     "verify_iat": False},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    expires, issued, subject = claims["exp"], claims["iat"], claims["sub"]
    if not isinstance(expires, int) or not isinstance(issued, int) or not isinstance(subject, str):
        return None
    if not issued - CLOCK_SKEW_SECONDS <= now < expires:
        return None
    return subject


def looks_like_token(token: str) -> bool:
    """A JWT (three base64url parts), not one of the service's API keys."""
    return token.count(".") == 2
