"""Issuing and checking API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graphql_api.clock import utc_now
from graphql_api.domain import api_keys
from graphql_api.models import ApiKey, User
from graphql_api.services.access import Principal, load_principal
from graphql_api.services.downloads import revoke_links


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: ApiKey
    token: str  # shown once; never stored


async def issue_api_key(user: User, description: str = "") -> IssuedKey:
    secret = api_keys.new_secret()
    key = await ApiKey.create(
        user=user, description=description, secret_hash=api_keys.hash_secret(secret)
    )
    return IssuedKey(api_key=key, token=api_keys.format_key(key.id, secret))


async def authenticate(authorization: str | None) -> Principal | None:
    """The caller behind an ``Authorization: Bearer <key>`` header, with their
    roles, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    parsed = api_keys.parse_key(token.strip())
    if parsed is None:
        return None
    key = await ApiKey.get_or_none(id=parsed.key_id, revoked_at=None).select_related("user")
    if key is None or not api_keys.secret_matches(parsed.secret, key.secret_hash):
        return None
    return await load_principal(key.user, key.id)


async def revoke_api_keys(
    user: User, *, description: str | None = None, now: datetime | None = None
) -> int:
    """Revoke the user's keys (those with ``description``, else all), and the
    download links requested with them."""
    now = now or utc_now()
    query = ApiKey.filter(user=user, revoked_at=None)
    if description is not None:
        query = query.filter(description=description)
    key_ids = [str(key_id) for key_id in await query.values_list("id", flat=True)]
    if not key_ids:
        return 0
    revoked = await ApiKey.filter(id__in=key_ids).update(revoked_at=now)
    await revoke_links(
        user,
        now,
        "The API key that requested this download link was revoked.",
        key_ids=key_ids,
    )
    return revoked
