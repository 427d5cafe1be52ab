"""What every resolver gets: the caller, per-request DataLoaders and the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
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
from graphql_api.schema.errors import UnauthenticatedError
from graphql_api.schema.pagination import CountKey, PageKey, count_loader, page_loader
from graphql_api.schema.snapshots.dataloaders import snapshot_loader
from graphql_api.services.authentication import Principal
from graphql_api.services.paging import Page
from graphql_api.settings import Settings, get_settings


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

    def __post_init__(self) -> None:
        self.pages = page_loader(self.counts)  # their totalCounts batch in counts
        self.nodes = nodes_loader(self.fleet)

    def prime(self, rows: Iterable[object]) -> None:
        """Rows already read need no read again: a cluster's project, a
        snapshot's cluster, resolve from here."""
        for row in rows:
            if isinstance(row, Project):
                self.project.prime(row.id, row)
            elif isinstance(row, Cluster):
                self.cluster.prime(row.id, row)
            elif isinstance(row, Organization):
                self.organization.prime(row.id, row)
            elif isinstance(row, Snapshot):
                self.snapshot.prime(row.id, row)


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
