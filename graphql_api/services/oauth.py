"""OAuth2 client credentials: an API key pair's public and private key, as
client id and secret, for a short-lived Bearer access token.

What Atlas calls service accounts, on the credential Atlas clients already
hold: the secret is checked against the pair's stored HA1 (no new secret
to keep), and a token acts as the pair itself: same holder, same roles,
same rate budget (the pair's id), stopped by the same revocation. Nothing
is cached: every use reads the pair and its holder's roles.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from graphql_api.domain import digest, oauth
from graphql_api.models import ApiKeyPair
from graphql_api.services.authentication import LAST_USED_PRECISION, Principal, load_principal
from graphql_api.settings import Settings


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds

    def body(self) -> dict[str, object]:
        """The successful response of RFC 6749 §5.1."""
        return {"access_token": self.access_token, "token_type": "Bearer",
                "expires_in": self.expires_in}  # fmt: skip


def _key(settings: Settings) -> bytes:
    return oauth.token_key(settings.download_signing_key())


async def issue_token(
    credentials: oauth.ClientCredentials, now: datetime, settings: Settings
) -> IssuedToken:
    """A token for a live key pair whose private key is the client secret;
    invalid_client (TokenError) for anything else, alike."""
    pair = await ApiKeyPair.get_or_none(
        public_key=credentials.client_id[:16], revoked_at=None
    ).only("id", "public_key", "ha1_sha256", "last_used_at")
    expected = pair.ha1_sha256 if pair is not None else "0" * 64
    presented = digest.ha1("SHA-256", credentials.client_id, credentials.client_secret)
    if not hmac.compare_digest(expected, presented) or pair is None:
        raise oauth.invalid_client()
    if pair.last_used_at is None or now - pair.last_used_at >= LAST_USED_PRECISION:
        await ApiKeyPair.filter(id=pair.id).update(last_used_at=now)
    ttl = settings.oauth_token_ttl_seconds
    token = oauth.new_token(_key(settings), pair.id, now.timestamp(), ttl)
    return IssuedToken(token, ttl)


async def authenticate_token(token: str, now: datetime, settings: Settings) -> Principal | None:
    """The caller behind an access token, with their roles as they are now; None
    when the token is malformed, tampered with, expired or its pair revoked."""
    pair_id = oauth.credential_of(_key(settings), token, now.timestamp())
    if pair_id is None:
        return None
    pair = await ApiKeyPair.get_or_none(id=pair_id[:24], revoked_at=None).select_related("user")
    if pair is None:
        return None
    if pair.last_used_at is None or now - pair.last_used_at >= LAST_USED_PRECISION:
        await ApiKeyPair.filter(id=pair.id).update(last_used_at=now)
    return await load_principal(pair.user, pair.id, pair.organization_id)
