"""What every resolver gets: the caller, per-request DataLoaders and the clock."""

from __future__ import annotations

import asyncio
from asyncio import Future
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import AbstractCache, DataLoader
from strawberry.types import Info as StrawberryInfo

from graphql_api.clock import utc_now
from graphql_api.domain.clusters import ClusterNodes
from graphql_api.fleet.base import ClusterAddress, Fleet
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Organization, Project, Snapshot, User
from graphql_api.schema.accounts.dataloaders import (
    organization_loader,
    project_loader,
    user_loader,
)
from graphql_api.schema.clusters.dataloaders import (
    cluster_by_name_loader,
    cluster_loader,
    nodes_loader,
)
from graphql_api.schema.dataloader import SharedDataLoader
from graphql_api.schema.errors import UnauthenticatedError
from graphql_api.schema.pagination import CountKey, PageKey, count_loader, page_loader
from graphql_api.schema.snapshots.dataloaders import snapshot_loader
from graphql_api.services.authentication import Principal
from graphql_api.services.paging import Page
from graphql_api.settings import Settings, get_settings

T = TypeVar("T")


@dataclass
class Loaders:
    """Fresh per request, so nothing cached outlives it."""

    organization: DataLoader[str, Organization | None] = field(default_factory=organization_loader)
    project: DataLoader[str, Project | None] = field(default_factory=project_loader)
    user: DataLoader[str, User | None] = field(default_factory=user_loader)
    cluster: DataLoader[str, Cluster | None] = field(default_factory=cluster_loader)
    cluster_by_name: DataLoader[tuple[str, str], Cluster | None] = field(
        default_factory=cluster_by_name_loader
    )
    snapshot: DataLoader[str, Snapshot | None] = field(default_factory=snapshot_loader)
    counts: DataLoader[CountKey, int] = field(default_factory=count_loader)
    pages: DataLoader[PageKey, Page[Any]] = field(init=False)
    fleet: Fleet = field(default_factory=SimulatedFleet)
    nodes: DataLoader[ClusterAddress, ClusterNodes] = field(init=False)

    cluster_sets: DataLoader[tuple[str, ...], None] = field(init=False)

    def __post_init__(self) -> None:
        self.pages = page_loader(self.counts)  # their totalCounts batch in counts
        self.nodes = nodes_loader(self.fleet)
        self._caches: dict[type, RowCache[Any]] = {}
        for model, loader in (
            (Project, self.project),
            (Cluster, self.cluster),
            (Organization, self.organization),
            (Snapshot, self.snapshot),
        ):
            loader.cache_map = self._caches[model] = RowCache()
        self._clusters: RowCache[Cluster] = self._caches[Cluster]
        # Not a bound method: Loaders -> loader -> Loaders is a cycle, which
        # left every row a request read for the cyclic collector to free.
        self.cluster_sets = SharedDataLoader(partial(_load_cluster_sets, self._clusters))

    def prime(self, rows: Iterable[object]) -> None:
        """Rows already read need no read again: a cluster's project, a
        snapshot's cluster, resolve from here."""
        caches = self._caches
        for row in rows:
            cache = caches.get(type(row))
            if cache is not None:
                cache.prime(row.id, row)  # type: ignore[attr-defined]

    def ready_cluster(self, cluster_id: str) -> Cluster | None:
        """The cluster if this request has it at hand (no I/O), else None."""
        return self._clusters.ready(cluster_id)

    async def load_clusters(self, ids: Iterable[str]) -> None:
        """Have these clusters at hand: one statement for every page of the
        request asking at once, one future per page rather than per row."""
        cache = self._caches[Cluster]
        missing = tuple(dict.fromkeys(i for i in ids if not cache.has(i)))
        if missing:
            await self.cluster_sets.load(missing)


async def _load_cluster_sets(cache: RowCache[Cluster], keys: list[tuple[str, ...]]) -> list[None]:
    wanted = list(dict.fromkeys(i for key in keys for i in key if not cache.has(i)))
    if wanted:
        for found in await Cluster.filter(id__in=wanted):
            cache.prime(found.id, found)
    return [None] * len(keys)


class RowCache(AbstractCache[str, T]):
    """A DataLoader's cache that also keeps rows read elsewhere as they are:
    priming a page of 100 rows makes no futures; a future is made only when
    the loader is asked for one of them."""

    def __init__(self) -> None:
        self.futures: dict[str, Future[T]] = {}
        self.rows: dict[str, T] = {}

    def get(self, key: str) -> Future[T] | None:
        future = self.futures.get(key)
        if future is None and key in self.rows:
            future = self.futures[key] = asyncio.get_running_loop().create_future()
            future.set_result(self.rows[key])
        return future

    def set(self, key: str, value: Future[T]) -> None:
        self.futures[key] = value

    def delete(self, key: str) -> None:
        self.futures.pop(key, None)
        self.rows.pop(key, None)

    def clear(self) -> None:
        self.futures.clear()
        self.rows.clear()

    def prime(self, key: str, row: T) -> None:
        """Like DataLoader.prime: a key already there keeps its value."""
        if key not in self.futures:
            self.rows.setdefault(key, row)

    def has(self, key: str) -> bool:
        return key in self.rows or key in self.futures

    def ready(self, key: str) -> T | None:
        if key in self.rows:
            return self.rows[key]
        future = self.futures.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()


@dataclass
class Context:
    # None only on a WebSocket before its connection_init authenticates it.
    authenticated: Principal | None
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    loaders: Loaders = field(default_factory=Loaders)
    clock: Callable[[], datetime] = utc_now
    settings: Settings = field(default_factory=get_settings)
    connection_params: dict[str, object] | None = None

    @property
    def principal(self) -> Principal:
        if self.authenticated is None:
            raise UnauthenticatedError()
        return self.authenticated

    @property
    def base_url(self) -> str:
        """Where download links point: PUBLIC_URL, else this request's own origin."""
        if self.settings.public_url:
            return self.settings.public_url
        return str(self.request.base_url) if self.request is not None else ""


Info = StrawberryInfo[Context, None]
