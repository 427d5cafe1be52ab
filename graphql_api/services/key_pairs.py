"""API key pairs and HTTP Digest authentication (RFC 7616) with them.

A pair is issued to a user like an API key: the public key names it, the
private key is shown once and never stored (only the HA1 values digest
verification needs). A digest response is accepted once: its (nonce, nc) is
recorded under a unique key until the nonce expires, so a replay on any
replica is refused; an expired nonce is refused as stale, so the client
retries with the fresh nonce of the new challenge.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from graphql_api.domain import digest
from graphql_api.models import ApiKeyPair, DigestNonceUse, User
from graphql_api.services.authentication import LAST_USED_PRECISION, Principal, load_principal
from graphql_api.settings import Settings


@dataclass(frozen=True, slots=True)
class IssuedKeyPair:
    pair: ApiKeyPair
    public_key: str
    private_key: str  # shown once; never stored


class StaleNonce(Exception):
    """The response was right but its nonce expired: challenge again, stale=true."""


def _nonce_key(settings: Settings) -> bytes:
    return settings.download_signing_key().encode()


async def issue_key_pair(user: User, description: str = "") -> IssuedKeyPair:
    """A public key of 8 lowercase letters and a UUID private key, as Atlas issues."""
    public_key = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    private_key = str(uuid.uuid4())
    pair = await ApiKeyPair.create(
        user=user,
        public_key=public_key,
        description=description,
        ha1_md5=digest.ha1("MD5", public_key, private_key),
        ha1_sha256=digest.ha1("SHA-256", public_key, private_key),
    )
    return IssuedKeyPair(pair, public_key, private_key)


def new_challenge(settings: Settings, now: datetime, *, stale: bool = False) -> str:
    nonce = digest.new_nonce(_nonce_key(settings), now.timestamp())
    return digest.challenge(nonce, settings.digest_algorithm, stale=stale)


async def authenticate_digest(
    header: str, method: str, uri: str, now: datetime, settings: Settings
) -> Principal | None:
    """The caller behind an ``Authorization: Digest ...`` header, or None
    (malformed, unknown or revoked key, wrong response, another URI, a
    replay). StaleNonce when only the nonce is too old."""
    credentials = digest.parse_credentials(header)
    if credentials is None or credentials.realm != digest.REALM or credentials.uri != uri:
        return None
    state = digest.check_nonce(
        _nonce_key(settings), credentials.nonce, now.timestamp(), settings.digest_nonce_ttl_seconds
    )
    if state is digest.NonceState.INVALID:
        return None
    pair = await ApiKeyPair.get_or_none(
        public_key=credentials.username[:16], revoked_at=None
    ).select_related("user")
    if pair is None:
        return None
    stored = pair.ha1_md5 if credentials.algorithm == "MD5" else pair.ha1_sha256
    if not digest.response_matches(stored, credentials, method):
        return None
    if state is digest.NonceState.STALE:
        raise StaleNonce
    if not await _first_use(credentials, now, settings):
        return None
    if pair.last_used_at is None or now - pair.last_used_at >= LAST_USED_PRECISION:
        await ApiKeyPair.filter(id=pair.id).update(last_used_at=now)
    # The pair's id stands where an API key's would: rate budget, download links.
    return await load_principal(pair.user, pair.id)


async def _first_use(credentials: digest.Credentials, now: datetime, settings: Settings) -> bool:
    """Record (nonce, nc); False when it was used before (a replay)."""
    await DigestNonceUse.filter(expires_at__lt=now).delete()
    try:
        await DigestNonceUse.create(
            nonce=credentials.nonce,
            nc=credentials.nc.lower(),
            expires_at=now + timedelta(seconds=settings.digest_nonce_ttl_seconds),
        )
    except IntegrityError:
        return False
    return True


async def revoke_key_pair(pair: ApiKeyPair, now: datetime) -> None:
    """Revoke the pair and the download links requested with it."""
    from graphql_api.services import downloads

    await ApiKeyPair.filter(id=pair.id).update(revoked_at=now)
    await downloads.revoke_links(
        await pair.user, now, "The API key that requested this download link was revoked.",
        key_ids=[pair.id],
    )  # fmt: skip
