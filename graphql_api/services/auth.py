"""Issuing and checking API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from graphql_api.domain import api_keys
from graphql_api.models import ApiKey, User


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


async def authenticate(authorization: str | None) -> User | None:
    """The user behind an ``Authorization: Bearer <key>`` header, or None."""
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
    return key.user


async def revoke_api_keys(user: User, *, description: str | None = None) -> int:
    query = ApiKey.filter(user=user, revoked_at=None)
    if description is not None:
        query = query.filter(description=description)
    return await query.update(revoked_at=datetime.now(UTC))
