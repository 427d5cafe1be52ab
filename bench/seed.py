"""A fresh `bench` database: one project of N clusters x 8 completed snapshots
and a Project Owner's API key, the data every API scenario reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from graphql_api.db import tortoise_config
from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.locations import storage_location_for_region
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.retention import expiration
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import Snapshot, SnapshotStatus
from graphql_api.services import accounts, clusters
from graphql_api.services.api_keys import issue_api_key

CREATED = datetime(2026, 1, 1, tzinfo=UTC)
REGIONS = [
    (CloudProvider.AWS, "us-east-1"),
    (CloudProvider.AWS, "eu-central-1"),
    (CloudProvider.GCP, "asia-east2"),
    (CloudProvider.AZURE, "southeastasia"),
    (CloudProvider.AWS, "eu-west-2"),
]


@dataclass(frozen=True)
class Seeded:
    api_key: str
    project_id: str
    cluster_name: str  # the cluster whose Backup tab is read
    snapshot_id: str  # one of its snapshots (the download scenario uses it)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def fresh_database(url: str, admin_url: str | None = None) -> None:
    """Create the database if missing, empty its public schema, migrate."""
    if url.startswith("postgres"):
        import asyncpg

        name = url.rsplit("/", 1)[1]
        if admin_url is not None:
            admin = await asyncpg.connect(_asyncpg_url(admin_url))
            try:
                if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name):
                    await admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                await admin.close()
        conn = await asyncpg.connect(_asyncpg_url(url))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
    config = tortoise_config(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        await migrate(config=config)


async def seed(url: str, admin_url: str, n_clusters: int, per_cluster: int) -> Seeded:
    await fresh_database(url, admin_url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        org = await accounts.create_organization("bench")
        project = await accounts.create_project(org, "bench")
        user = await accounts.create_user("bench@example.com", "Bench")
        await accounts.grant_project_role(user, project, ProjectRole.PROJECT_OWNER)
        key = await issue_api_key(user, "bench")
        rows: list[Snapshot] = []
        names = []
        for i in range(n_clusters):
            provider, region = REGIONS[i % len(REGIONS)]
            cluster = await clusters.create_cluster(
                project, f"c{i:05d}", tier=ClusterTier.FLEX, provider=provider,
                region=region, created_at=CREATED + timedelta(seconds=i),
            )  # fmt: skip
            names.append(cluster.name)
            for day in range(1, per_cluster + 1):
                slot = cluster.created_at + timedelta(days=day)
                rows.append(
                    Snapshot(
                        cluster=cluster,
                        project_id=project.id,
                        scheduled_time=slot,
                        status=SnapshotStatus.COMPLETED,
                        start_time=slot,
                        finish_time=slot + timedelta(minutes=1),
                        expiration=expiration(slot),
                        mongodb_version=cluster.mongodb_version,
                        storage_location=storage_location_for_region(provider, region),
                        storage_key=f"bench/{cluster.id}/{day}.archive.gz",
                        source_node=None,
                        size_bytes=1234,
                        sha256="0" * 64,
                        attempts=1,
                    )
                )
        await Snapshot.bulk_create(rows, batch_size=1000)
        if url.startswith("postgres"):
            # The planner's statistics, as autovacuum would have them on a live
            # database; right after a bulk load it still believes the tables empty.
            await Tortoise.get_connection("default").execute_script("ANALYZE")
        target = names[len(names) // 2]
        snapshot = await Snapshot.filter(cluster__name=target).order_by("-scheduled_time").first()
        assert snapshot is not None
        return Seeded(key.token, project.id, target, snapshot.id)
    finally:
        await Tortoise.close_connections()
