from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api import models
from graphql_api.domain import clusters, policy
from graphql_api.domain.connections import parse_seed_list
from graphql_api.domain.locations import storage_location_for_region
from graphql_api.models import DeliveryType
from graphql_api.schema.backups.types import BackupJob
from graphql_api.schema.context import Info
from graphql_api.schema.execution import FAST_READ
from graphql_api.schema.locations.types import CloudProvider, StorageLocation, storage_location
from graphql_api.schema.pagination import Connection, load_page, to_connection
from graphql_api.schema.snapshots.types import Snapshot, SnapshotStatus
from graphql_api.services import jobs as job_service
from graphql_api.services import snapshots as snapshot_service
from graphql_api.services.clusters import address_of
from graphql_api.services.validation import require_id

if TYPE_CHECKING:
    from graphql_api.schema.projects.types import Project

strawberry.enum(clusters.ClusterTier, name="ClusterTier")
strawberry.enum(clusters.ClusterType, name="ClusterType")
strawberry.enum(clusters.ClusterState, name="ClusterState")
strawberry.enum(clusters.NodeRole, name="NodeRole")
ClusterTier = clusters.ClusterTier
ClusterType = clusters.ClusterType
ClusterState = clusters.ClusterState
NodeRole = clusters.NodeRole


@strawberry.type
class ClusterNode:
    hostname: str
    role: NodeRole
    healthy: bool
    replication_lag_ms: int

    @classmethod
    def from_domain(cls, n: clusters.NodeHealth) -> ClusterNode:
        return cls(
            hostname=n.hostname,
            role=n.role,
            healthy=n.healthy,
            replication_lag_ms=n.replication_lag_ms,
        )


@strawberry.type
class ProviderSettings:
    provider_name: str = strawberry.field(description="FLEX for Flex clusters, else the cloud.")
    backing_provider_name: CloudProvider
    region_name: str = strawberry.field(description="The cloud provider's region code.")
    disk_size_gb: float = strawberry.field(
        name="diskSizeGB", description="Storage the tier comes with (Flex: 5 GB)."
    )


@strawberry.type(description="A label on a cluster (Atlas ResourceTag).")
class ResourceTag:
    key: str
    value: str


@strawberry.type(description="How to connect (never with credentials inside).")
class ConnectionStrings:
    standard: str | None = strawberry.field(
        description="The registered mongodb:// seed list; null until one is set."
    )
    standard_srv: str | None = strawberry.field(
        description="Always null here: registered clusters list their hosts."
    )


@strawberry.type(description="The replica set the data plane reaches (FLEET=mongodb).")
class ReplicaSetAddress:
    hosts: list[str] = strawberry.field(description="host:port of each seed.")
    replica_set_name: str
    credentials_set: bool = strawberry.field(
        description="Whether a username and password are stored (encrypted; never shown)."
    )


@strawberry.type
class BackupSettings:
    enabled: bool


@strawberry.type
class FeatureSupport:
    supported: bool
    reason: str | None = strawberry.field(description="Why not, and the way out.")


@strawberry.type(description="The fixed daily backup policy every Flex cluster has.")
class FlexBackupPolicy:
    enabled: bool
    frequency_interval_hours: int
    snapshot_time_of_day_utc: str = strawberry.field(description="HH:MM:SS, UTC.")
    retained_snapshots: int
    first_snapshot_time: datetime
    next_snapshot_time: datetime | None = strawberry.field(
        description="Null while backups are disabled."
    )
    custom_policies: FeatureSupport
    on_demand_snapshots: FeatureSupport

    @classmethod
    def from_domain(cls, p: policy.FlexBackupPolicy) -> FlexBackupPolicy:
        return cls(
            enabled=p.enabled,
            frequency_interval_hours=p.frequency_hours,
            snapshot_time_of_day_utc=p.time_of_day_utc.isoformat(timespec="seconds"),
            retained_snapshots=p.retained_snapshots,
            first_snapshot_time=p.first_snapshot_time,
            next_snapshot_time=p.next_snapshot_time,
            custom_policies=FeatureSupport(supported=False, reason=policy.NO_CUSTOM_POLICY),
            on_demand_snapshots=FeatureSupport(supported=False, reason=policy.NO_ON_DEMAND),
        )


def _mongodb_version(root: Cluster) -> str:
    return clusters.shown_version(root._model.mongodb_version)


def _provider_settings(root: Cluster) -> ProviderSettings:
    c = root._model
    return ProviderSettings(
        provider_name="FLEX" if c.tier is clusters.ClusterTier.FLEX else c.cloud_provider,
        backing_provider_name=c.cloud_provider,
        region_name=c.region,
        disk_size_gb=clusters.DISK_SIZE_GB[c.tier],
    )


def _backup_settings(root: Cluster) -> BackupSettings:
    return BackupSettings(enabled=root._model.backup_enabled)


def _snapshot_storage_location(root: Cluster) -> StorageLocation:
    c = root._model
    return storage_location(storage_location_for_region(c.cloud_provider, c.region))


def _tags(root: Cluster) -> list[ResourceTag]:
    return [ResourceTag(key=t["key"], value=t["value"]) for t in root._model.tags or []]


def _connection_strings(root: Cluster) -> ConnectionStrings:
    return ConnectionStrings(standard=root._model.connection_string, standard_srv=None)


def _replica_set_address(root: Cluster) -> ReplicaSetAddress | None:
    return _replica_set(root._model)


@strawberry.type
class Cluster:
    """What is worked out from the row (rather than read off it) is a
    resolver of the cluster alone, run only when selected: a page of
    snapshots asks each one's cluster for its name. The fast path of
    schema/execution.py calls such resolvers directly."""

    id: strawberry.ID
    group_id: strawberry.ID = strawberry.field(description="The project's id (Atlas: groupId).")
    name: str
    tier: ClusterTier
    cluster_type: ClusterType
    state_name: ClusterState
    mongodb_version: str = strawberry.field(name="mongoDBVersion", resolver=_mongodb_version)
    create_date: datetime
    provider_settings: ProviderSettings = strawberry.field(resolver=_provider_settings)
    backup_settings: BackupSettings = strawberry.field(resolver=_backup_settings)
    termination_protection_enabled: bool
    snapshot_storage_location: StorageLocation = strawberry.field(
        description="Where this cluster's snapshots are stored, from its region's country.",
        resolver=_snapshot_storage_location,
    )
    tags: list[ResourceTag] = strawberry.field(resolver=_tags)
    version_release_system: str = strawberry.field(description="Always LTS.")
    connection_strings: ConnectionStrings = strawberry.field(resolver=_connection_strings)
    replica_set: ReplicaSetAddress | None = strawberry.field(
        description="The registered replica set, or null (the simulated fleet needs none).",
        resolver=_replica_set_address,
    )
    deleted_at: datetime | None = strawberry.field(
        description="When it was deleted. A deleted cluster (stateName DELETING) is no "
        "longer listed or found by name; its COMPLETED snapshots stay listed, downloadable "
        "and restorable until the expiration they showed at deletion, then are deleted."
    )
    deleted: bool = strawberry.field(description="Whether it was deleted (see deletedAt).")
    _model: strawberry.Private[models.Cluster]

    @classmethod
    def from_model(cls, c: models.Cluster) -> Cluster:
        return cls(
            id=strawberry.ID(c.id),
            group_id=strawberry.ID(c.project_id),
            name=c.name,
            tier=c.tier,
            cluster_type=c.cluster_type,
            state_name=c.state,
            create_date=c.created_at,
            termination_protection_enabled=c.termination_protection,
            version_release_system=clusters.VERSION_RELEASE_SYSTEM,
            deleted_at=c.deleted_at,
            deleted=c.deleted_at is not None,
            _model=c,
        )

    @strawberry.field
    async def project(
        self, info: Info
    ) -> Annotated[Project, strawberry.lazy("graphql_api.schema.projects.types")]:
        from graphql_api.schema.projects.types import Project

        model = await info.context.loaders.project.load(self._model.project_id)
        assert model is not None
        return Project.from_model(model)

    @strawberry.field(
        description="Its nodes as the data plane reports them; empty when unreachable."
    )
    async def nodes(self, info: Info) -> list[ClusterNode]:
        found = await info.context.loaders.nodes.load(address_of(self._model))
        return [ClusterNode.from_domain(n) for n in found.nodes]

    @strawberry.field(
        description="Null for M10+ clusters, whose Cloud Backup has its own, and once deleted.",
        metadata={FAST_READ: lambda self, context: self._backup_policy(context.clock())},
    )
    def backup_policy(self, info: Info) -> FlexBackupPolicy | None:
        return self._backup_policy(info.context.clock())

    def _backup_policy(self, now: datetime) -> FlexBackupPolicy | None:
        c = self._model
        if c.deleted_at is not None:
            return None
        found = policy.flex_backup_policy(c.tier, c.created_at, c.backup_enabled, now)
        return None if found is None else FlexBackupPolicy.from_domain(found)

    @strawberry.field(description="This cluster's snapshots, newest first (its Backup tab).")
    async def snapshots(
        self,
        info: Info,
        status: SnapshotStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Snapshot]:
        listing = snapshot_service.snapshots_of_clusters(status)
        page = await load_page(info, listing, self.id, first, after, last, before)
        return to_connection(page, Snapshot.from_model)

    @strawberry.field
    async def snapshot(self, info: Info, id: strawberry.ID) -> Snapshot | None:
        found = await info.context.loaders.snapshot.load(require_id(id, "Snapshot id"))
        return None if found is None or found.cluster_id != self.id else Snapshot.from_model(found)

    @strawberry.field(description="Restores of this cluster's snapshots, or into it.")
    async def restore_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BackupJob]:
        listing = job_service.jobs_of_clusters(DeliveryType.RESTORE)
        page = await load_page(info, listing, self._jobs_key, first, after, last, before)
        return to_connection(page, BackupJob.from_model)

    @strawberry.field(description="Downloads of this cluster's snapshots.")
    async def download_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BackupJob]:
        listing = job_service.jobs_of_clusters(DeliveryType.DOWNLOAD)
        page = await load_page(info, listing, self._jobs_key, first, after, last, before)
        return to_connection(page, BackupJob.from_model)

    @property
    def _jobs_key(self) -> tuple[str, str]:
        return (self._model.id, self._model.project_id)


def _replica_set(c: models.Cluster) -> ReplicaSetAddress | None:
    if c.connection_string is None:
        return None
    seed = parse_seed_list(c.connection_string)
    return ReplicaSetAddress(
        hosts=list(seed.hosts),
        replica_set_name=seed.replica_set,
        credentials_set=c.credentials is not None,
    )
