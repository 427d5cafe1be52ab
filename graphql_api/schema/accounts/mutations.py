"""Organizations, projects, members, API keys and key pairs: thin resolvers over services.

Business refusals (a taken name, the last owner...) come back as
``userErrors``; permission refusals as FORBIDDEN / NOT_FOUND errors.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from graphql_api.schema.accounts.members import (
    ApiKey,
    ApiKeyPair,
    OrganizationMember,
    OrgRole,
    ProjectMember,
    ProjectRole,
)
from graphql_api.schema.accounts.types import Organization
from graphql_api.schema.backups.types import UserError, UserErrorCode
from graphql_api.schema.context import Info
from graphql_api.schema.projects.types import Project
from graphql_api.services import api_keys, key_pairs, members, organizations, projects
from graphql_api.services.authentication import reload_principal
from graphql_api.services.errors import Refused

T = TypeVar("T")


async def _answer(work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    try:
        return await work, []
    except Refused as refused:
        r = refused.refusal
        return None, [UserError(code=UserErrorCode(r.code.value), message=r.message, field=r.field)]


async def _reload_roles(info: Info) -> None:
    """The caller's roles changed: later fields of this request see the new ones."""
    ctx = info.context
    ctx.authenticated = await reload_principal(ctx.principal)


@strawberry.type
class OrganizationPayload:
    organization: Organization | None
    user_errors: list[UserError]


@strawberry.type
class OrganizationMemberPayload:
    member: OrganizationMember | None
    user_errors: list[UserError]


@strawberry.type
class ProjectPayload:
    project: Project | None
    user_errors: list[UserError]


@strawberry.type
class DeleteProjectPayload:
    deleted_project_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class ProjectMemberPayload:
    member: ProjectMember | None
    user_errors: list[UserError]


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey
    token: str = strawberry.field(
        description="The key to send as `Authorization: Bearer <token>`; shown this once only."
    )


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey


@strawberry.type
class CreateApiKeyPairPayload:
    api_key_pair: ApiKeyPair
    private_key: str = strawberry.field(
        description="The digest password and OAuth2 client secret; shown this once only."
    )


@strawberry.type
class RevokeApiKeyPairPayload:
    api_key_pair: ApiKeyPair


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Start an organization; you become its Organization Owner.")
    async def create_organization(self, info: Info, name: str) -> OrganizationPayload:
        ctx = info.context
        org = await organizations.create_organization(ctx.principal, name, ctx.clock())
        await _reload_roles(info)
        return OrganizationPayload(organization=Organization.from_model(org), user_errors=[])

    @strawberry.mutation(description="Organization Owners.")
    async def rename_organization(
        self, info: Info, organization_id: strawberry.ID, name: str
    ) -> OrganizationPayload:
        ctx = info.context
        org = await organizations.rename_organization(
            ctx.principal, organization_id, name, ctx.clock()
        )
        return OrganizationPayload(organization=Organization.from_model(org), user_errors=[])

    @strawberry.mutation(
        description="Organization Owners add someone by email (a new user when unknown)."
    )
    async def add_organization_member(
        self,
        info: Info,
        organization_id: strawberry.ID,
        user_email: str,
        role: OrgRole = OrgRole.ORG_MEMBER,
        user_name: str | None = None,
    ) -> OrganizationMemberPayload:
        ctx = info.context
        found, errors = await _answer(
            organizations.add_member(
                ctx.principal, organization_id, user_email, role, ctx.clock(), name=user_name
            )
        )
        member = OrganizationMember.from_model(found) if found else None
        return OrganizationMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(description="Organization Owners; the last Organization Owner stays.")
    async def update_organization_member_role(
        self, info: Info, organization_id: strawberry.ID, user_email: str, role: OrgRole
    ) -> OrganizationMemberPayload:
        ctx = info.context
        found, errors = await _answer(
            organizations.change_member_role(
                ctx.principal, organization_id, user_email, role, ctx.clock()
            )
        )
        await _reload_roles(info)
        member = OrganizationMember.from_model(found) if found else None
        return OrganizationMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(
        description="Organization Owners take someone out of the organization and its projects."
    )
    async def remove_organization_member(
        self, info: Info, organization_id: strawberry.ID, user_email: str
    ) -> OrganizationPayload:
        ctx = info.context
        org, errors = await _answer(
            organizations.remove_member(ctx.principal, organization_id, user_email, ctx.clock())
        )
        await _reload_roles(info)
        return OrganizationPayload(
            organization=Organization.from_model(org) if org else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Organization Owners create a project; you become its Project Owner."
    )
    async def create_project(
        self, info: Info, organization_id: strawberry.ID, name: str
    ) -> ProjectPayload:
        ctx = info.context
        project, errors = await _answer(
            projects.create_project(ctx.principal, organization_id, name, ctx.clock())
        )
        await _reload_roles(info)
        return ProjectPayload(
            project=Project.from_model(project) if project else None, user_errors=errors
        )

    @strawberry.mutation(description="Organization Owners.")
    async def rename_project(
        self, info: Info, project_id: strawberry.ID, name: str
    ) -> ProjectPayload:
        ctx = info.context
        project, errors = await _answer(
            projects.rename_project(ctx.principal, project_id, name, ctx.clock())
        )
        return ProjectPayload(
            project=Project.from_model(project) if project else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Organization Owners delete a project that has no clusters (a deleted "
        "cluster counts while its snapshots are kept)."
    )
    async def delete_project(self, info: Info, project_id: strawberry.ID) -> DeleteProjectPayload:
        ctx = info.context
        deleted, errors = await _answer(
            projects.delete_project(ctx.principal, project_id, ctx.clock())
        )
        await _reload_roles(info)
        return DeleteProjectPayload(
            deleted_project_id=strawberry.ID(deleted) if deleted else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Project Owners add someone by email (a new user when unknown) with a role; "
        "they join the project's organization too."
    )
    async def add_project_member(
        self,
        info: Info,
        project_id: strawberry.ID,
        user_email: str,
        role: ProjectRole,
        user_name: str | None = None,
    ) -> ProjectMemberPayload:
        ctx = info.context
        found, errors = await _answer(
            members.add_member(
                ctx.principal, project_id, user_email, role, ctx.clock(), name=user_name
            )
        )
        member = ProjectMember.from_model(found) if found else None
        return ProjectMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(description="Project Owners; the last Project Owner stays one.")
    async def update_project_member_role(
        self, info: Info, project_id: strawberry.ID, user_email: str, role: ProjectRole
    ) -> ProjectMemberPayload:
        ctx = info.context
        found, errors = await _answer(
            members.change_role(ctx.principal, project_id, user_email, role, ctx.clock())
        )
        await _reload_roles(info)
        member = ProjectMember.from_model(found) if found else None
        return ProjectMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(
        description="Project Owners; the last Project Owner stays. Takes effect at the "
        "member's next request; their download links in the project stop."
    )
    async def remove_project_member(
        self, info: Info, project_id: strawberry.ID, user_email: str
    ) -> ProjectPayload:
        ctx = info.context
        project, errors = await _answer(
            members.remove_member(ctx.principal, project_id, user_email, ctx.clock())
        )
        await _reload_roles(info)
        return ProjectPayload(
            project=Project.from_model(project) if project else None, user_errors=errors
        )

    @strawberry.mutation(
        description="A new API key for you, or (Organization Owners) for a member of your "
        "organization. The token is in this answer only."
    )
    async def create_api_key(
        self, info: Info, description: str = "", user_email: str | None = None
    ) -> CreateApiKeyPayload:
        ctx = info.context
        issued = await api_keys.create_api_key(
            ctx.principal, ctx.clock(), description=description, user_email=user_email
        )
        return CreateApiKeyPayload(api_key=ApiKey.from_model(issued.api_key), token=issued.token)

    @strawberry.mutation(
        description="Revoke your key, or (Organization Owners) a member's. Its next request "
        "fails, and so do the download links requested with it."
    )
    async def revoke_api_key(self, info: Info, api_key_id: strawberry.ID) -> RevokeApiKeyPayload:
        ctx = info.context
        key = await api_keys.revoke_api_key(ctx.principal, api_key_id, ctx.clock())
        return RevokeApiKeyPayload(api_key=ApiKey.from_model(key))

    @strawberry.mutation(
        description="A new API key pair for you, or (Organization Owners) for a member of "
        "your organization, for Atlas clients (HTTP Digest) and OAuth2 client credentials. "
        "The private key is in this answer only."
    )
    async def create_api_key_pair(
        self, info: Info, description: str = "", user_email: str | None = None
    ) -> CreateApiKeyPairPayload:
        ctx = info.context
        issued = await key_pairs.create_key_pair(
            ctx.principal, ctx.clock(), description=description, user_email=user_email
        )
        return CreateApiKeyPairPayload(
            api_key_pair=ApiKeyPair.from_model(issued.pair), private_key=issued.private_key
        )

    @strawberry.mutation(
        description="Revoke your key pair, or (Organization Owners) a member's. Its next "
        "request fails, and so do its OAuth2 access tokens and the download links requested "
        "with it."
    )
    async def revoke_api_key_pair(
        self, info: Info, api_key_pair_id: strawberry.ID
    ) -> RevokeApiKeyPairPayload:
        ctx = info.context
        pair = await key_pairs.revoke_api_key_pair(ctx.principal, api_key_pair_id, ctx.clock())
        return RevokeApiKeyPairPayload(api_key_pair=ApiKeyPair.from_model(pair))
