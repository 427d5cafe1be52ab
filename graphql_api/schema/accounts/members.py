"""People, their roles, their API keys and key pairs (thin types over the models)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphql_api import models
from graphql_api.domain import roles
from graphql_api.domain.api_keys import PREFIX
from graphql_api.domain.roles import Action
from graphql_api.schema.context import Info
from graphql_api.schema.pagination import Connection, load_page, to_connection
from graphql_api.services import api_keys as key_service
from graphql_api.services import authorization
from graphql_api.services import key_pairs as pair_service

strawberry.enum(roles.OrgRole, name="OrgRole")
strawberry.enum(roles.ProjectRole, name="ProjectRole")
OrgRole = roles.OrgRole
ProjectRole = roles.ProjectRole


@strawberry.type(description="A person.")
class User:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_model(cls, u: models.User) -> User:
        return cls(id=strawberry.ID(u.id), email=u.email, name=u.name)


async def _user(info: Info, user_id: str) -> User:
    model = await info.context.loaders.user.load(user_id)
    assert model is not None  # memberships and keys go with their user
    return User.from_model(model)


@strawberry.type(description="An API key. Its secret is shown once, when it is created; "
                 "only a hash of it is kept.")  # fmt: skip
class ApiKey:
    id: strawberry.ID
    prefix: str = strawberry.field(description="How the key starts (`fbk_<id>_`).")
    description: str
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Updated at most hourly.")
    revoked_at: datetime | None
    organization_id: strawberry.ID | None = strawberry.field(
        description="The one organization it acts in, when an Owner of it made it for its "
        "holder; null: it acts wherever its holder holds roles."
    )

    @classmethod
    def from_model(cls, k: models.ApiKey) -> ApiKey:
        return cls(
            id=strawberry.ID(k.id),
            prefix=f"{PREFIX}_{k.id}_",
            description=k.description,
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
            organization_id=_id_or_none(k.organization_id),
        )


def _id_or_none(value: str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)


async def api_keys_of(
    info: Info,
    user_id: str,
    include_revoked: bool,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[ApiKey]:
    listing = key_service.keys_of_users(include_revoked)
    page = await load_page(info, listing, user_id, first, after, last, before)
    return to_connection(page, ApiKey.from_model)


@strawberry.type(description="An API key pair for HTTP Digest (what Atlas clients send) and "
                 "OAuth2 client credentials (POST /api/oauth/token). Its private key is shown "
                 "once, when it is created; it is not kept.")  # fmt: skip
class ApiKeyPair:
    id: strawberry.ID
    public_key: str = strawberry.field(description="The digest user name and OAuth2 client id.")
    description: str
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Updated at most hourly.")
    revoked_at: datetime | None
    organization_id: strawberry.ID | None = strawberry.field(
        description="The one organization it acts in, when an Owner of it made it for its "
        "holder; null: it acts wherever its holder holds roles."
    )

    @classmethod
    def from_model(cls, k: models.ApiKeyPair) -> ApiKeyPair:
        return cls(
            id=strawberry.ID(k.id),
            public_key=k.public_key,
            description=k.description,
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
            organization_id=_id_or_none(k.organization_id),
        )


async def api_key_pairs_of(
    info: Info,
    user_id: str,
    include_revoked: bool,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[ApiKeyPair]:
    listing = pair_service.pairs_of_users(include_revoked)
    page = await load_page(info, listing, user_id, first, after, last, before)
    return to_connection(page, ApiKeyPair.from_model)


@strawberry.type(description="Someone's role in an organization.")
class OrganizationMember:
    role: OrgRole
    _model: strawberry.Private[models.OrgMembership]

    @classmethod
    def from_model(cls, m: models.OrgMembership) -> OrganizationMember:
        return cls(role=m.role, _model=m)

    @strawberry.field
    async def user(self, info: Info) -> User:
        return await _user(info, self._model.user_id)

    @strawberry.field(description="Their API keys: for the organization's Owners; null otherwise.")
    async def api_keys(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKey] | None:
        principal = info.context.principal
        if authorization.org_refusal(principal, Action.LIST_API_KEYS, self._model.organization_id):
            return None
        return await api_keys_of(
            info, self._model.user_id, include_revoked, first, after, last, before
        )

    @strawberry.field(
        description="Their API key pairs: for the organization's Owners; null otherwise."
    )
    async def api_key_pairs(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKeyPair] | None:
        principal = info.context.principal
        organization_id = self._model.organization_id
        if authorization.org_refusal(principal, Action.LIST_API_KEY_PAIRS, organization_id):
            return None
        return await api_key_pairs_of(
            info, self._model.user_id, include_revoked, first, after, last, before
        )


@strawberry.type(description="Someone's role in a project.")
class ProjectMember:
    role: ProjectRole
    _model: strawberry.Private[models.ProjectMembership]

    @classmethod
    def from_model(cls, m: models.ProjectMembership) -> ProjectMember:
        return cls(role=m.role, _model=m)

    @strawberry.field
    async def user(self, info: Info) -> User:
        return await _user(info, self._model.user_id)
