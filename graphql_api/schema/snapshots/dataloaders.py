from __future__ import annotations

from strawberry.dataloader import DataLoader

from graphql_api.models import Snapshot
from graphql_api.schema.dataloader import SharedDataLoader


async def _snapshots(ids: list[str]) -> list[Snapshot | None]:
    found = {s.id: s for s in await Snapshot.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def snapshot_loader() -> DataLoader[str, Snapshot | None]:
    return SharedDataLoader(_snapshots)
