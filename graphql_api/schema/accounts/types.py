from __future__ import annotations

import strawberry

from graphql_api import models
from graphql_api.schema.accounts.members import (
    ApiKey,
    ApiKeyPair,
    OrganizationMember,
    OrgRole,
    api_key_pairs_of,
    api_keys_of,
)
from graphql_api.schema.context import Info
from graphql_api.schema.pagination import Connection, load_page, to_connection
from graphql_api.schema.projects.types import Project
from graphql_api.services import organizations as organization_service
from graphql_api.services import projects as project_service
from graphql_api.services.paging import ONE_LIST


@strawberry.type
class Organization:
    id: strawberry.ID
    name: str

    @classmethod
    def from_model(cls, o: models.Organization) -> Organization:
        return cls(id=strawberry.ID(o.id), name=o.name)

    @strawberry.field(description="The caller's own roles in this organization.")
    def viewer_roles(self, info: Info) -> list[OrgRole]:
        return sorted(info.context.principal.org_roles.get(self.id, frozenset()))

    @strawberry.field(description="The projects of this organization you can see.")
    async def projects(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Project]:
        listing = project_service.readable_projects_of_organizations(info.context.principal)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, Project.from_model)

    @strawberry.field(description="Its members and their roles (one entry per role).")
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[OrganizationMember]:
        listing = organization_service.members_of_organizations()
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, OrganizationMember.from_model)


@strawberry.type(description="The caller, identified by their API key.")
class Viewer:
    id: strawberry.ID
    email: str
    name: str

    @strawberry.field
    async def organizations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Organization]:
        listing = project_service.readable_organizations(info.context.principal)
        page = await load_page(info, listing, ONE_LIST, first, after, last, before)
        return to_connection(page, Organization.from_model)

    @strawberry.field(description="Every project you can see, across organizations.")
    async def projects(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Project]:
        listing = project_service.readable_projects(info.context.principal)
        page = await load_page(info, listing, ONE_LIST, first, after, last, before)
        return to_connection(page, Project.from_model)

    @strawberry.field(description="Your API keys, newest first (revoked ones on request).")
    async def api_keys(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKey]:
        return await api_keys_of(info, self.id, include_revoked, first, after, last, before)

    @strawberry.field(
        description="Your API key pairs, newest first (revoked ones on request); never a "
        "private key."
    )
    async def api_key_pairs(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKeyPair]:
        return await api_key_pairs_of(info, self.id, include_revoked, first, after, last, before)
