"""API keys: issued to a user, shown once, revoked with the links they requested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graphql_api.domain import api_keys
from graphql_api.models import ApiKey, User
from graphql_api.services import downloads


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


async def revoke_api_keys(user: User, now: datetime, *, description: str | None = None) -> int:
    """Revoke the user's keys (those with ``description``, else all), and the
    download links requested with them."""
    query = ApiKey.filter(user=user, revoked_at=None)
    if description is not None:
        query = query.filter(description=description)
    key_ids = [str(key_id) for key_id in await query.values_list("id", flat=True)]
    if not key_ids:
        return 0
    revoked = await ApiKey.filter(id__in=key_ids).update(revoked_at=now)
    await downloads.revoke_links(
        user, now, "The API key that requested this download link was revoked.", key_ids=key_ids
    )
    return revoked
