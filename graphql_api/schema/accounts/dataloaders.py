from __future__ import annotations

from strawberry.dataloader import DataLoader

from graphql_api.models import Organization, Project, User
from graphql_api.schema.dataloader import SharedDataLoader


async def _organizations(ids: list[str]) -> list[Organization | None]:
    found = {o.id: o for o in await Organization.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def _projects(ids: list[str]) -> list[Project | None]:
    found = {p.id: p for p in await Project.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def organization_loader() -> DataLoader[str, Organization | None]:
    return SharedDataLoader(_organizations)


def project_loader() -> DataLoader[str, Project | None]:
    return SharedDataLoader(_projects)


async def _users(ids: list[str]) -> list[User | None]:
    found = {u.id: u for u in await User.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def user_loader() -> DataLoader[str, User | None]:
    return SharedDataLoader(_users)
