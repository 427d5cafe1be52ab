"""Shared fixtures: one migrated database per run, emptied before each test.

The database is SQLite in a temp folder unless TEST_DATABASE_URL names a
PostgreSQL database (CI sets it); migrations run for real either way.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from graphql_api.app import create_app
from graphql_api.db import tortoise_config
from graphql_api.domain.clusters import ClusterTier, ClusterType
from graphql_api.domain.ids import new_id
from graphql_api.domain.locations import storage_location_for_region
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.retention import expiration
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import (
    BackupJob,
    Cluster,
    DeliveryType,
    JobStatus,
    Organization,
    Project,
    Snapshot,
    SnapshotStatus,
    User,
)
from graphql_api.services import accounts, clusters
from graphql_api.services.api_keys import issue_api_key

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# The app under test keeps snapshot bytes in a throwaway folder and signs links
# with a fixed key; set before any code reads (and caches) the settings.
os.environ["SNAPSHOT_ROOT"] = tempfile.mkdtemp(prefix="flex-snapshots-")
os.environ["SIGNING_KEY"] = "test-signing-key"
os.environ["CREDENTIALS_KEY"] = "sCmFHP3nU4N0lJw6zVt0lI1S2dWqvGtJt7TXh7k8m2Y="  # a Fernet key
os.environ["SCHEDULER_ENABLED"] = "false"
os.environ["PROGRESS_POLL_SECONDS"] = "0.05"
# Tests (and the live server they start) send many requests with one key; the
# budget has its own test (tests/test_rest_rate_limits.py).
os.environ["RATE_LIMIT_PER_MINUTE"] = "0"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
async def orm(database_url: str) -> AsyncIterator[None]:
    if database_url.startswith("postgres"):
        await _reset_postgres(database_url)
    config = tortoise_config(database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        await migrate(config=config)
    await Tortoise.init(config=config)
    yield
    await Tortoise.close_connections()


_TABLES = (
    "digest_nonce_uses",
    "api_key_pairs",
    "audit_events",
    "backup_jobs",
    "simulated_cluster_data",
    "snapshots",
    "cluster_nodes",
    "clusters",
    "api_keys",
    "project_memberships",
    "org_memberships",
    "projects",
    "users",
    "organizations",
)


@pytest.fixture(autouse=True)
async def db(orm: None, database_url: str) -> None:
    conn = connections.get("default")
    if database_url.startswith("postgres"):
        await conn.execute_script(f"TRUNCATE {', '.join(_TABLES)} CASCADE")
    else:
        for table in _TABLES:
            await conn.execute_script(f"DELETE FROM {table}")  # noqa: S608


@dataclass
class Actor:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class World:
    """Builds organizations, projects, people and clusters for a test."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    async def org(self, name: str | None = None) -> Organization:
        return await accounts.create_organization(name or f"org-{self._next()}")

    async def project(self, org: Organization | None = None, name: str | None = None) -> Project:
        return await accounts.create_project(org or await self.org(), name or f"p-{self._next()}")

    async def actor(
        self,
        *,
        project: Project | None = None,
        role: ProjectRole | None = None,
        org: Organization | None = None,
        org_role: OrgRole | None = None,
    ) -> Actor:
        n = self._next()
        user = await accounts.create_user(f"user{n}@example.com", f"User {n}")
        if project is not None and role is not None:
            await accounts.grant_project_role(user, project, role)
        if org is not None and org_role is not None:
            await accounts.grant_org_role(user, org, org_role)
        return Actor(user=user, token=(await issue_api_key(user)).token)

    async def cluster(
        self,
        project: Project,
        name: str | None = None,
        *,
        tier: ClusterTier = ClusterTier.FLEX,
        provider: CloudProvider = CloudProvider.AWS,
        region: str = "us-east-1",
        created_at: datetime = NOW - timedelta(days=20),
        cluster_type: ClusterType = ClusterType.REPLICASET,
        backup_enabled: bool = True,
    ) -> Cluster:
        return await clusters.create_cluster(
            project,
            name or f"cluster-{self._next()}",
            tier=tier,
            provider=provider,
            region=region,
            created_at=created_at,
            cluster_type=cluster_type,
            backup_enabled=backup_enabled,
        )

    async def completed_snapshots(self, cluster: Cluster, days: int) -> list[Snapshot]:
        """Rows as the engine leaves them, for read-side tests."""
        rows = []
        for day in range(1, days + 1):
            scheduled = cluster.created_at + timedelta(days=day)
            rows.append(
                await Snapshot.create(
                    cluster=cluster,
                    project_id=cluster.project_id,
                    scheduled_time=scheduled,
                    status=SnapshotStatus.COMPLETED,
                    start_time=scheduled,
                    finish_time=scheduled + timedelta(minutes=1),
                    expiration=expiration(scheduled),
                    mongodb_version=cluster.mongodb_version,
                    storage_location=storage_location_for_region(
                        cluster.cloud_provider, cluster.region
                    ),
                    size_bytes=1234,
                    sha256="0" * 64,
                    attempts=1,
                )
            )
        return rows


def job_row(
    kind: DeliveryType,
    source: Cluster,
    created_at: datetime,
    into: Cluster | None = None,
    *,
    project_id: str | None = None,
) -> BackupJob:
    """An unsaved finished job of ``source``'s snapshot (a restore ``into`` a
    cluster when given), for read-side tests; save it or bulk_create many."""
    return BackupJob(
        delivery_type=kind,
        status=JobStatus.COMPLETED,
        project_id=project_id or source.project_id,
        cluster_id=source.id,
        snapshot_id=new_id(),
        requested_by_id=new_id(),
        created_at=created_at,
        target_project_id=into.project_id if into else None,
        target_cluster_id=into.id if into else None,
        target_cluster_name=into.name if into else None,
    )


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(manage_orm=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, actor: Actor | None, variables: dict[str, object] | None = None
    ) -> dict:
        headers = actor.headers if actor else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        body["_status"] = response.status_code
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
