"""Organizations and their members: create, rename, add and remove people.

An Organization Owner manages the organization; its projects' members are
its members too (see domain/accounts.py), so removing someone from the
organization takes them out of its projects, their download links included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from graphql_api.domain import accounts as rules
from graphql_api.domain.names import MAX_EMAIL_LENGTH
from graphql_api.domain.refusals import Refusal
from graphql_api.domain.roles import Action, OrgRole, ProjectRole
from graphql_api.models import Organization, OrgMembership, Project, ProjectMembership, User
from graphql_api.services import accounts, downloads, key_pairs
from graphql_api.services.api_keys import IssuedKey, create_api_key
from graphql_api.services.authentication import Principal, operator_principal
from graphql_api.services.authorization import OrgScope, authorize, find_organization
from graphql_api.services.errors import NotFoundError, Refused
from graphql_api.services.paging import Listing, Order
from graphql_api.services.validation import require_id

MEMBER_ORDER = Order(("id",))
BOOTSTRAP_KEY_DESCRIPTION = "created with the organization (create-organization)"


@dataclass(frozen=True, slots=True)
class Bootstrap:
    organization: Organization
    owner: User
    key: IssuedKey


async def bootstrap_organization(
    name: str, owner_email: str, owner_name: str | None, now: datetime
) -> Bootstrap:
    """The operator's first step on a fresh database: an organization, its
    Organization Owner and their first API key (shown once). All or nothing:
    a bad owner email leaves no ownerless organization behind."""
    operator = operator_principal()
    async with in_transaction():
        organization = await create_organization(operator, name, now)
        membership = await add_member(operator, organization.id, owner_email, OrgRole.ORG_OWNER,
                                      now, name=owner_name)  # fmt: skip
        owner = await User.get(id=membership.user_id)
        key = await create_api_key(
            operator, now, description=BOOTSTRAP_KEY_DESCRIPTION, user_email=owner.email
        )
    return Bootstrap(organization=organization, owner=owner, key=key)


async def create_organization(principal: Principal, name: str, now: datetime) -> Organization:
    """Anyone with a key may start an organization; they become its Owner."""
    async with authorize(principal, Action.CREATE_ORGANIZATION, subject=name, now=now) as audit:
        organization = await accounts.create_organization(name)
        audit.subject = organization.id
        if not principal.operator:
            await accounts.grant_org_role(principal.user, organization, OrgRole.ORG_OWNER)
    return organization


async def get_organization(principal: Principal, organization_id: str) -> OrgScope:
    organization_id = require_id(organization_id, "Organization id")
    return OrgScope(
        await find_organization(principal, organization_id),
        f"No organization {organization_id} among your organizations.",
    )


async def rename_organization(
    principal: Principal, organization_id: str, name: str, now: datetime
) -> Organization:
    scope = await get_organization(principal, organization_id)
    async with authorize(
        principal, Action.RENAME_ORGANIZATION, scope, subject=organization_id, now=now
    ):
        assert scope.organization is not None
        scope.organization.name = accounts.clean_name(name, "Organization name")
        await scope.organization.save(update_fields=["name"])
    return scope.organization


async def add_member(
    principal: Principal,
    organization_id: str,
    email: str,
    role: OrgRole,
    now: datetime,
    *,
    name: str | None = None,
) -> OrgMembership:
    """Add someone (created when unknown) to the organization with ``role``."""
    scope = await get_organization(principal, organization_id)
    async with authorize(
        principal, Action.ADD_ORG_MEMBER, scope, subject=_subject(organization_id, email), now=now
    ):
        organization = scope.organization
        assert organization is not None
        user = await accounts.find_or_create_user(email, name)
        if await OrgMembership.exists(user=user, organization=organization):
            instead = "updateOrganizationMemberRole"
            raise Refused(rules.already_member(user.email, "this organization", instead))
        membership = await accounts.grant_org_role(user, organization, role)
    return membership


async def change_member_role(
    principal: Principal, organization_id: str, email: str, role: OrgRole, now: datetime
) -> OrgMembership:
    """Make a member's organization role exactly ``role``; the last Owner stays."""
    scope = await get_organization(principal, organization_id)
    async with authorize(
        principal, Action.CHANGE_ORG_ROLE, scope, subject=_subject(organization_id, email), now=now
    ):
        assert scope.organization is not None
        async with in_transaction():
            organization = await _locked(scope.organization)
            user = await _member(organization, email)
            owners = await _owner_ids(organization)
            if rules.leaves_no_owner(owners, user.id, role is OrgRole.ORG_OWNER):
                raise Refused(rules.last_org_owner(user.email))
            await (
                OrgMembership.filter(user=user, organization=organization)
                .exclude(role=role)
                .delete()
            )
            membership = await accounts.grant_org_role(user, organization, role)
    return membership


async def remove_member(
    principal: Principal, organization_id: str, email: str, now: datetime
) -> Organization:
    """Take someone out of the organization and all its projects; their live
    download links there stop, and so do their API key pairs (all of them:
    a pair acts as its holder everywhere, and a new one is a command away)."""
    scope = await get_organization(principal, organization_id)
    async with authorize(
        principal, Action.REMOVE_ORG_MEMBER, scope, subject=_subject(organization_id, email),
        now=now,
    ):  # fmt: skip
        assert scope.organization is not None
        async with in_transaction():
            organization = await _locked(scope.organization)
            user = await _member(organization, email)
            if rules.leaves_no_owner(await _owner_ids(organization), user.id, stays_owner=False):
                raise Refused(rules.last_org_owner(user.email))
            owned = await ProjectMembership.filter(
                user=user, project__organization=organization, role=ProjectRole.PROJECT_OWNER
            ).values_list("project_id", flat=True)
            # Locked like a role change in each of them (services/members.py).
            await Project.select_for_update().filter(id__in=list(owned)).order_by("id")
            for owned_id in owned:
                owners = await ProjectMembership.filter(
                    project_id=owned_id, role=ProjectRole.PROJECT_OWNER
                ).values_list("user_id", flat=True)
                if rules.leaves_no_owner([str(o) for o in owners], user.id, stays_owner=False):
                    project = await Project.get(id=owned_id)
                    raise Refused(_last_owner_of(user.email, project))
            project_ids = [
                str(p)
                for p in await Project.filter(organization=organization).values_list(
                    "id", flat=True
                )
            ]
            await ProjectMembership.filter(user=user, project_id__in=project_ids).delete()
            await OrgMembership.filter(user=user, organization=organization).delete()
        for project_id in project_ids:
            await downloads.revoke_links(
                principal.user, now, "Its requester was removed from the organization.",
                requested_by=user, project_id=project_id,
            )  # fmt: skip
        # Key pairs are what Atlas clients and scripts hold: they go with the person.
        await key_pairs.revoke_key_pairs_of(principal.user, user, now)
    return organization


def members_of_organizations() -> Listing[OrgMembership]:
    """Each organization's memberships (one row per member and role)."""
    return Listing(OrgMembership, MEMBER_ORDER, parents=("organization_id",))


async def members_listing(
    principal: Principal, organization_id: str
) -> tuple[Organization, Listing[OrgMembership]]:
    """The organization's members, for anyone in it (NOT_FOUND otherwise)."""
    scope = await get_organization(principal, organization_id)
    if scope.organization is None:
        raise NotFoundError(scope.missing)
    return scope.organization, members_of_organizations()


def _subject(organization_id: str, email: str) -> str:
    return f"{organization_id}:{email[:MAX_EMAIL_LENGTH]}"


async def _locked(organization: Organization) -> Organization:
    """The organization's row, locked: membership changes to it go one at a time."""
    return await Organization.select_for_update().get(id=organization.id)


async def _owner_ids(organization: Organization) -> list[str]:
    owners = await OrgMembership.filter(
        organization=organization, role=OrgRole.ORG_OWNER
    ).values_list("user_id", flat=True)
    return [str(o) for o in owners]


async def _member(organization: Organization, email: str) -> User:
    user = await accounts.find_user(email)
    if user is None or not await accounts.in_organization(user, organization.id):
        raise Refused(rules.not_a_member(email[:MAX_EMAIL_LENGTH], "this organization"))
    return user


def _last_owner_of(email: str, project: Project) -> Refusal:
    refusal = rules.last_project_owner(email)
    return Refusal(refusal.code, f"In project {project.name!r}: {refusal.message}", refusal.field)
