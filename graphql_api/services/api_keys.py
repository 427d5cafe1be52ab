"""API keys: issued to a user, shown once, revoked with the links they requested.

Anyone manages their own keys; an Organization Owner also manages the keys of
their organization's members. Someone else's keys, outside the organizations
you share with them, answer like an unknown key (NOT_FOUND). A key an Owner
makes for a member is limited to that organization (see ``limit_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from graphql_api.domain import api_keys
from graphql_api.domain.names import MAX_EMAIL_LENGTH, could_be_stored, normalize_email
from graphql_api.domain.roles import Action
from graphql_api.models import (
    ApiKey,
    ApiKeyPair,
    Organization,
    OrgMembership,
    ProjectMembership,
    User,
)
from graphql_api.services import accounts, downloads
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import OrgScope, authorize, org_refusal
from graphql_api.services.errors import ForbiddenError, InvalidInputError, NotFoundError
from graphql_api.services.paging import IsNull, Listing, Order
from graphql_api.services.validation import require_id

C = TypeVar("C", ApiKey, ApiKeyPair)

MAX_DESCRIPTION_LENGTH = 128
NEWEST_FIRST = Order(("-created_at", "-id"))
REVOKED_KEY = "The API key that requested this download link was revoked."


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: ApiKey
    token: str  # shown once; never stored


async def issue_api_key(
    user: User, description: str = "", organization_id: str | None = None
) -> IssuedKey:
    if description and not could_be_stored(description, MAX_DESCRIPTION_LENGTH):
        raise InvalidInputError(
            f"A key's description is at most {MAX_DESCRIPTION_LENGTH} characters, none of them NUL."
        )
    secret = api_keys.new_secret()
    key = await ApiKey.create(
        user=user,
        description=description,
        secret_hash=api_keys.hash_secret(secret),
        organization_id=organization_id,
    )
    return IssuedKey(api_key=key, token=api_keys.format_key(key.id, secret))


async def create_api_key(
    principal: Principal, now: datetime, *, description: str = "", user_email: str | None = None
) -> IssuedKey:
    """A new key for the caller, or (Organization Owners) for a member of their
    organization; its secret is in the answer only."""
    holder, scopes = await key_holder(principal, user_email)
    async with authorize(
        principal, Action.CREATE_API_KEY, *scopes, subject=holder.email, now=now
    ) as audit:
        issued = await issue_api_key(holder, description, limit_for(principal, scopes))
        audit.subject = f"{holder.email} key {issued.api_key.id}"
    return issued


async def revoke_api_key(principal: Principal, key_id: str, now: datetime) -> ApiKey:
    """Revoke a key (yours, or a member's for Organization Owners); the next
    request with it, and every download link requested with it, fails."""
    key_id = require_id(key_id, "API key id")
    key = await ApiKey.get_or_none(id=key_id).select_related("user")
    missing = f"No API key {key_id} among the keys you manage."
    if key is None:
        raise NotFoundError(missing)
    _, scopes = await key_holder(principal, key.user.email, missing)
    async with authorize(principal, Action.REVOKE_API_KEY, *scopes, subject=key_id, now=now):
        if key.revoked_at is None:
            await _revoke(principal.user, [key.id], now)
            key.revoked_at = now
    return key


async def revoke_api_keys(user: User, now: datetime, *, description: str | None = None) -> int:
    """Revoke the user's keys (those with ``description``: the demo seeder's
    key rotation), or all of them and their key pairs too (they left), and
    the download links requested with them. Counts the API keys."""
    from graphql_api.services import key_pairs

    query = ApiKey.filter(user=user, revoked_at=None)
    if description is not None:
        query = query.filter(description=description)
    key_ids = [str(key_id) for key_id in await query.values_list("id", flat=True)]
    if description is None:
        await key_pairs.revoke_key_pairs_of(user, user, now)
    return await _revoke(user, key_ids, now)


async def _revoke(actor: User, key_ids: list[str], now: datetime) -> int:
    if not key_ids:
        return 0
    revoked = await ApiKey.filter(id__in=key_ids, revoked_at=None).update(revoked_at=now)
    await downloads.revoke_links(actor, now, REVOKED_KEY, key_ids=key_ids)
    return revoked


def credentials_of_users(model: type[C], include_revoked: bool = False) -> Listing[C]:
    """Each user's keys or key pairs, newest first (never a secret: only what
    checks one is kept)."""
    where = () if include_revoked else (IsNull("revoked_at"),)
    return Listing(model, NEWEST_FIRST, parents=("user_id",), where=where)


def keys_of_users(include_revoked: bool = False) -> Listing[ApiKey]:
    return credentials_of_users(ApiKey, include_revoked)


async def listed_holder(principal: Principal, user_email: str | None, action: Action) -> User:
    """Whose credentials the caller may list: theirs; a member's for Org Owners."""
    holder, scopes = await key_holder(principal, user_email)
    for scope in scopes:
        assert scope.organization is not None
        if reason := org_refusal(principal, action, scope.organization.id):
            raise ForbiddenError(reason)
    return holder


async def keys_listing(
    principal: Principal, user_email: str | None, include_revoked: bool = False
) -> tuple[User, Listing[ApiKey]]:
    holder = await listed_holder(principal, user_email, Action.LIST_API_KEYS)
    return holder, keys_of_users(include_revoked)


def limit_for(principal: Principal, scopes: list[OrgScope]) -> str | None:
    """The organization a new credential acts in only: the one where an Owner's
    right to make it for someone else was checked (their role there is all that
    vouches for it), or the caller's own limit. None: the caller's own
    credential, or the operator's doing, which acts wherever its holder has roles."""
    if scopes:
        organization = scopes[0].organization
        assert organization is not None  # key_holder's scopes name their organization
        return str(organization.id)
    return principal.limited_to_org_id


async def key_holder(
    principal: Principal, email: str | None, missing: str | None = None
) -> tuple[User, list[OrgScope]]:
    """The user whose keys are meant, and the organization where the caller's
    right to them is checked (none for your own keys). Someone you share no
    organization with answers like nobody at all."""
    if email is None or normalize_email(email) == principal.user.email:
        if principal.operator:
            raise InvalidInputError("The operator has no keys of its own: name a user's email.")
        return principal.user, []
    missing = missing or f"No user {email[:MAX_EMAIL_LENGTH]!r} in your organizations."
    user = await accounts.find_user(email)
    if user is None:
        raise NotFoundError(missing)
    if principal.operator:
        return user, []
    theirs = set(
        await OrgMembership.filter(user=user).values_list("organization_id", flat=True)
    ) | set(
        await ProjectMembership.filter(user=user).values_list("project__organization_id", flat=True)
    )
    shared = sorted(str(o) for o in theirs if str(o) in principal.organization_ids)
    if not shared:
        raise NotFoundError(missing)
    owned = [o for o in shared if o in principal.owned_org_ids]
    organization = await Organization.get(id=(owned or shared)[0])
    return user, [OrgScope(organization, missing)]
