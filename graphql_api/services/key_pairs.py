"""API key pairs: created, listed and revoked like API keys, and HTTP Digest
authentication (RFC 7616) with them.

A pair is issued to a user like an API key, with the same rights to manage
it: anyone their own, an Organization Owner their members' (see
services/api_keys.py), and limited alike to the organization where an
Owner made it for a member. The public key names it, the private key is shown
once and never stored (only the HA1 values digest verification needs).
A pair dies with its holder's departure: removed from an organization, or
all their API keys revoked. A digest response is accepted once: its (nonce, nc) is
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
from graphql_api.domain.names import could_be_stored
from graphql_api.domain.roles import Action
from graphql_api.models import ApiKeyPair, DigestNonceUse, User
from graphql_api.services.api_keys import (
    MAX_DESCRIPTION_LENGTH,
    credentials_of_users,
    key_holder,
    limit_for,
    listed_holder,
)
from graphql_api.services.authentication import LAST_USED_PRECISION, Principal, load_principal
from graphql_api.services.authorization import authorize
from graphql_api.services.errors import InvalidInputError, NotFoundError
from graphql_api.services.paging import Listing
from graphql_api.services.validation import require_id
from graphql_api.settings import Settings

REVOKED_PAIR = "The API key that requested this download link was revoked."


@dataclass(frozen=True, slots=True)
class IssuedKeyPair:
    pair: ApiKeyPair
    public_key: str
    private_key: str  # shown once; never stored


class StaleNonce(Exception):
    """The response was right but its nonce expired: challenge again, stale=true."""


def _nonce_key(settings: Settings) -> bytes:
    return settings.download_signing_key().encode()


async def issue_key_pair(
    user: User, description: str = "", organization_id: str | None = None
) -> IssuedKeyPair:
    """A public key of 8 lowercase letters and a UUID private key, as Atlas issues."""
    if description and not could_be_stored(description, MAX_DESCRIPTION_LENGTH):
        raise InvalidInputError(
            f"A key pair's description is at most {MAX_DESCRIPTION_LENGTH} characters, "
            "none of them NUL."
        )
    public_key = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    private_key = str(uuid.uuid4())
    pair = await ApiKeyPair.create(
        user=user,
        public_key=public_key,
        description=description,
        ha1_md5=digest.ha1("MD5", public_key, private_key),
        ha1_sha256=digest.ha1("SHA-256", public_key, private_key),
        organization_id=organization_id,
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
    return await load_principal(pair.user, pair.id, pair.organization_id)


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


async def create_key_pair(
    principal: Principal, now: datetime, *, description: str = "", user_email: str | None = None
) -> IssuedKeyPair:
    """A new pair for the caller, or (Organization Owners) for a member of their
    organization; its private key is in the answer only."""
    holder, scopes = await key_holder(principal, user_email)
    async with authorize(
        principal, Action.CREATE_API_KEY_PAIR, *scopes, subject=holder.email, now=now
    ) as audit:
        issued = await issue_key_pair(holder, description, limit_for(principal, scopes))
        audit.subject = f"{holder.email} key pair {issued.pair.id} ({issued.public_key})"
    return issued


async def revoke_api_key_pair(principal: Principal, pair_id: str, now: datetime) -> ApiKeyPair:
    """Revoke a pair (yours, or a member's for Organization Owners): the next
    digest response or OAuth2 access token made with it is refused, and the
    download links requested with it stop."""
    pair_id = require_id(pair_id, "API key pair id")
    pair = await ApiKeyPair.get_or_none(id=pair_id).select_related("user")
    missing = f"No API key pair {pair_id} among the key pairs you manage."
    if pair is None:
        raise NotFoundError(missing)
    _, scopes = await key_holder(principal, pair.user.email, missing)
    async with authorize(principal, Action.REVOKE_API_KEY_PAIR, *scopes, subject=pair_id, now=now):
        if pair.revoked_at is None:
            await _revoke(principal.user, [pair.id], now)
            pair.revoked_at = now
    return pair


async def revoke_key_pairs_of(actor: User, user: User, now: datetime) -> int:
    """Revoke every live pair of ``user`` (they left), with their download links."""
    pair_ids = [str(i) for i in await ApiKeyPair.filter(user=user, revoked_at=None)
                .values_list("id", flat=True)]  # fmt: skip
    return await _revoke(actor, pair_ids, now)


async def _revoke(actor: User, pair_ids: list[str], now: datetime) -> int:
    from graphql_api.services import downloads

    if not pair_ids:
        return 0
    revoked = await ApiKeyPair.filter(id__in=pair_ids, revoked_at=None).update(revoked_at=now)
    await downloads.revoke_links(actor, now, REVOKED_PAIR, key_ids=pair_ids)
    return revoked


def pairs_of_users(include_revoked: bool = False) -> Listing[ApiKeyPair]:
    """Public keys only: the private one is not kept."""
    return credentials_of_users(ApiKeyPair, include_revoked)


async def pairs_listing(
    principal: Principal, user_email: str | None, include_revoked: bool = False
) -> tuple[User, Listing[ApiKeyPair]]:
    holder = await listed_holder(principal, user_email, Action.LIST_API_KEY_PAIRS)
    return holder, pairs_of_users(include_revoked)
