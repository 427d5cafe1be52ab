"""Cluster lifecycle mutations: thin, each calls one use case in
services/cluster_lifecycle.py (which authorizes and audits)."""

from __future__ import annotations

import strawberry

from graphql_api.domain.clusters import ResourceTag as Tag
from graphql_api.schema.clusters.types import Cluster, ClusterTier, ClusterType
from graphql_api.schema.context import Info
from graphql_api.schema.locations.types import CloudProvider
from graphql_api.services import cluster_lifecycle as lifecycle


@strawberry.input(description="A label (Atlas ResourceTag): key and value 1 to 255 characters.")
class ResourceTagInput:
    key: str
    value: str


@strawberry.input(description="A replica set's seed list and credentials (stored encrypted).")
class ClusterConnectionInput:
    connection_string: str = strawberry.field(
        description="mongodb://host1:27017,host2:27017/?replicaSet=rs0, without credentials."
    )
    username: str | None = None
    password: str | None = None


@strawberry.input
class CreateFlexClusterInput:
    project_id: strawberry.ID
    name: str = strawberry.field(description="^[a-zA-Z0-9][a-zA-Z0-9-]*$, at most 64.")
    backing_provider_name: CloudProvider
    region_name: str = strawberry.field(description="The provider's region code.")
    tags: list[ResourceTagInput] | None = None
    termination_protection_enabled: bool = False
    connection: ClusterConnectionInput | None = None


@strawberry.input
class UpdateFlexClusterInput:
    project_id: strawberry.ID
    name: str
    termination_protection_enabled: bool | None = None
    tags: list[ResourceTagInput] | None = strawberry.field(
        default=None, description="Replaces every tag; omit to keep them."
    )


@strawberry.input
class RegisterDedicatedClusterInput:
    project_id: strawberry.ID
    name: str
    tier: ClusterTier = strawberry.field(description="M10 or larger.")
    backing_provider_name: CloudProvider
    region_name: str
    backup_enabled: bool = strawberry.field(description="Cloud Backup on or off.")
    cluster_type: ClusterType = ClusterType.REPLICASET
    mongodb_version: str | None = strawberry.field(
        default=None, name="mongoDBVersion", description="X.Y.Z; default 8.0.0."
    )
    tags: list[ResourceTagInput] | None = None
    termination_protection_enabled: bool = False
    connection: ClusterConnectionInput | None = None


@strawberry.input
class SetClusterConnectionInput:
    project_id: strawberry.ID
    name: str
    connection: ClusterConnectionInput


@strawberry.input
class RotateClusterCredentialsInput:
    project_id: strawberry.ID
    name: str
    username: str
    password: str


@strawberry.type
class ClusterPayload:
    cluster: Cluster


def _tags(tags: list[ResourceTagInput] | None) -> list[Tag] | None:
    return None if tags is None else [Tag(t.key, t.value) for t in tags]


def _connection(given: ClusterConnectionInput | None) -> lifecycle.Connection | None:
    if given is None:
        return None
    return lifecycle.Connection(given.connection_string, given.username, given.password)


def _payload(model: object) -> ClusterPayload:
    from graphql_api import models

    assert isinstance(model, models.Cluster)
    return ClusterPayload(cluster=Cluster.from_model(model))


@strawberry.type
class ClustersMutation:
    @strawberry.mutation(
        description="Create a Flex cluster (Project Owner). It is CREATING until the data "
        "plane reports it up; its first daily snapshot is due 24 hours after creation."
    )
    async def create_flex_cluster(
        self, info: Info, input: CreateFlexClusterInput
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.create_flex_cluster(
                ctx.principal,
                input.project_id,
                input.name,
                provider=input.backing_provider_name,
                region=input.region_name,
                tags=_tags(input.tags) or (),
                termination_protection=input.termination_protection_enabled,
                connection=_connection(input.connection),
                now=ctx.clock(),
            )
        )

    @strawberry.mutation(description="Change termination protection or tags (Project Owner).")
    async def update_flex_cluster(
        self, info: Info, input: UpdateFlexClusterInput
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.update_flex_cluster(
                ctx.principal,
                input.project_id,
                input.name,
                termination_protection=input.termination_protection_enabled,
                tags=_tags(input.tags),
                now=ctx.clock(),
            )
        )

    @strawberry.mutation(
        description="Delete a Flex cluster (Project Owner): refused while termination "
        "protection is on or a restore into it runs. Its schedule stops; its COMPLETED "
        "snapshots stay downloadable and restorable until the expiration they showed."
    )
    async def delete_flex_cluster(
        self, info: Info, project_id: strawberry.ID, name: str
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.delete_flex_cluster(ctx.principal, project_id, name, now=ctx.clock())
        )

    @strawberry.mutation(
        description="Upgrade a Flex cluster to M10+ (Atlas tenantUpgrade; Project Owner or "
        "Cluster Manager), with Cloud Backup enabled. The daily Flex schedule stops; its "
        "snapshots stay restorable until they expire."
    )
    async def upgrade_flex_cluster(
        self,
        info: Info,
        project_id: strawberry.ID,
        name: str,
        instance_size: ClusterTier = ClusterTier.M10,
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.upgrade_flex_cluster(
                ctx.principal, project_id, name, tier=instance_size, now=ctx.clock()
            )
        )

    @strawberry.mutation(
        description="Register a dedicated (M10+) cluster with Cloud Backup on or off "
        "(Project Owner)."
    )
    async def register_dedicated_cluster(
        self, info: Info, input: RegisterDedicatedClusterInput
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.register_dedicated_cluster(
                ctx.principal,
                input.project_id,
                input.name,
                tier=input.tier,
                provider=input.backing_provider_name,
                region=input.region_name,
                backup_enabled=input.backup_enabled,
                cluster_type=input.cluster_type,
                mongodb_version=input.mongodb_version,
                tags=_tags(input.tags) or (),
                termination_protection=input.termination_protection_enabled,
                connection=_connection(input.connection),
                now=ctx.clock(),
            )
        )

    @strawberry.mutation(
        description="Set how the data plane reaches the cluster's replica set (Project "
        "Owner). Credentials are stored encrypted and never returned."
    )
    async def set_cluster_connection(
        self, info: Info, input: SetClusterConnectionInput
    ) -> ClusterPayload:
        ctx = info.context
        connection = _connection(input.connection)
        assert connection is not None
        return _payload(
            await lifecycle.set_cluster_connection(
                ctx.principal, input.project_id, input.name, connection, now=ctx.clock()
            )
        )

    @strawberry.mutation(description="Replace the cluster's stored credentials (Project Owner).")
    async def rotate_cluster_credentials(
        self, info: Info, input: RotateClusterCredentialsInput
    ) -> ClusterPayload:
        ctx = info.context
        return _payload(
            await lifecycle.rotate_cluster_credentials(
                ctx.principal,
                input.project_id,
                input.name,
                username=input.username,
                password=input.password,
                now=ctx.clock(),
            )
        )
