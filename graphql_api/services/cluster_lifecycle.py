"""Flex clusters' lifecycle as Atlas has it: create, update, delete, upgrade to
M10+; dedicated clusters registered; a replica set's connection and credentials.

Each use case makes one ``authorize`` call (the check and the audit record).

Deleting a cluster, or upgrading it to M10+, ends its daily Flex schedule:
nothing new is queued, work in flight is FAILED with that reason, and each
COMPLETED snapshot stays listed, downloadable and restorable until the
expiration it showed at that moment; the scheduler's tick deletes it then
(``daily_snapshots.prune_ended``). A deleted cluster keeps its row, marked
``deleted_at`` with state DELETING, so its snapshots still name it; its name
is free for a new cluster at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.expressions import RawSQL
from tortoise.transactions import in_transaction

from graphql_api.domain.clusters import (
    ClusterState,
    ClusterTier,
    ClusterType,
    NodeRole,
    ResourceTag,
    cluster_name_problem,
    tags_problem,
)
from graphql_api.domain.connections import (
    ConnectionRefusal,
    ConnectionStringError,
    credentials_problem,
    parse_seed_list,
)
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.roles import Action
from graphql_api.fleet.base import Fleet
from graphql_api.models import BackupJob, Cluster, Project
from graphql_api.services import authorization, credentials, daily_snapshots
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize
from graphql_api.services.clusters import address_of, create_cluster, get_cluster
from graphql_api.services.errors import ConflictError, InvalidInputError, NotFoundError
from graphql_api.services.validation import require_id


@dataclass(frozen=True, slots=True)
class Connection:
    """How to reach a replica set: the seed list, and credentials if it needs them."""

    connection_string: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


async def _project(principal: Principal, project_id: str) -> tuple[Project | None, Scope]:
    project = await authorization.find_project(principal, require_id(project_id, "Project id"))
    return project, Scope(project, f"No project {project_id} among your projects.")


async def _live(
    project: Project | None, name: str, *, flex_only: bool = False, lock: bool = False
) -> Cluster:
    """The project's live cluster of that name (inside authorize: refusals are audited)."""
    assert project is not None
    cluster = await get_cluster(project, name, lock=lock)
    if cluster is None:
        raise NotFoundError(f"Project {project.name!r} has no cluster named {name!r}.")
    if flex_only and cluster.tier is not ClusterTier.FLEX:
        raise InvalidInputError(
            f"Cluster {name!r} is {cluster.tier.value}, not a Flex cluster.",
            code="NOT_FLEX_CLUSTER",
        )
    return cluster


def _check_name(name: str) -> None:
    if problem := cluster_name_problem(name):
        raise InvalidInputError(problem, code="INVALID_CLUSTER_NAME")


def _connection_fields(connection: Connection | None) -> dict[str, str | None]:
    """The columns a connection is stored in; raises InvalidInputError."""
    if connection is None:
        return {}
    try:
        parse_seed_list(connection.connection_string)
    except ConnectionStringError as exc:
        raise InvalidInputError(exc.message, code=exc.code.value) from None
    return {
        "connection_string": connection.connection_string,
        "credentials": _sealed(connection.username, connection.password),
    }


def _sealed(username: str | None, password: str | None) -> str | None:
    if username is None and password is None:
        return None
    problem = credentials_problem(username or "", password or "")
    if problem:
        raise InvalidInputError(problem, code=ConnectionRefusal.INVALID_CREDENTIALS.value)
    assert username is not None and password is not None
    return credentials.seal(credentials.Credentials(username, password))


async def create_flex_cluster(
    principal: Principal,
    project_id: str,
    name: str,
    *,
    provider: CloudProvider,
    region: str,
    tags: Sequence[ResourceTag] = (),
    termination_protection: bool = False,
    connection: Connection | None = None,
    now: datetime,
) -> Cluster:
    """A Flex cluster, CREATING until the data plane reports it up (the
    scheduler's tick); its first snapshot is due 24 hours after ``now``."""
    project, scope = await _project(principal, project_id)
    async with authorize(principal, Action.CREATE_FLEX_CLUSTER, scope, subject=name, now=now):
        assert project is not None
        _check_name(name)
        stored = _connection_fields(connection)
        cluster = await create_cluster(
            project, name, tier=ClusterTier.FLEX, provider=provider, region=region,
            created_at=now, tags=tags, termination_protection=termination_protection,
            state=ClusterState.CREATING,
        )  # fmt: skip
        if stored:
            await _store(cluster, **stored)
    return cluster


async def register_dedicated_cluster(
    principal: Principal,
    project_id: str,
    name: str,
    *,
    tier: ClusterTier,
    provider: CloudProvider,
    region: str,
    backup_enabled: bool,
    cluster_type: ClusterType = ClusterType.REPLICASET,
    mongodb_version: str | None = None,
    tags: Sequence[ResourceTag] = (),
    termination_protection: bool = False,
    connection: Connection | None = None,
    now: datetime,
) -> Cluster:
    """An M10+ cluster with Cloud Backup enabled or not (no Flex schedule)."""
    project, scope = await _project(principal, project_id)
    action = Action.REGISTER_DEDICATED_CLUSTER
    async with authorize(principal, action, scope, subject=name, now=now):
        assert project is not None
        if not tier.is_dedicated:
            raise InvalidInputError(
                "Dedicated clusters are M10 or larger; create Flex clusters with "
                "createFlexCluster.",
                code="INVALID_TIER",
            )
        _check_name(name)
        stored = _connection_fields(connection)
        extra = {} if mongodb_version is None else {"mongodb_version": mongodb_version}
        cluster = await create_cluster(
            project, name, tier=tier, provider=provider, region=region, created_at=now,
            cluster_type=cluster_type, backup_enabled=backup_enabled, tags=tags,
            termination_protection=termination_protection, state=ClusterState.CREATING,
            **extra,
        )  # fmt: skip
        if stored:
            await _store(cluster, **stored)
    return cluster


async def update_flex_cluster(
    principal: Principal,
    project_id: str,
    name: str,
    *,
    termination_protection: bool | None = None,
    tags: Sequence[ResourceTag] | None = None,
    now: datetime,
) -> Cluster:
    """Change termination protection and/or replace the tags (what is not given stays)."""
    project, scope = await _project(principal, project_id)
    action = Action.UPDATE_FLEX_CLUSTER
    async with authorize(principal, action, scope, subject=name, now=now), in_transaction():
        cluster = await _live(project, name, flex_only=True, lock=True)  # see get_cluster
        changes: dict[str, object] = {}
        if tags is not None:
            if problem := tags_problem(tags):
                raise InvalidInputError(problem, code="INVALID_TAGS")
            changes["tags"] = [{"key": t.key, "value": t.value} for t in tags]
        if termination_protection is not None:
            changes["termination_protection"] = termination_protection
        await _store(cluster, **changes)
    return cluster


async def delete_flex_cluster(
    principal: Principal, project_id: str, name: str, *, now: datetime
) -> Cluster:
    """End the cluster (see the module's docstring for what its snapshots do)."""
    project, scope = await _project(principal, project_id)
    action = Action.DELETE_FLEX_CLUSTER
    async with authorize(principal, action, scope, subject=name, now=now), in_transaction():
        cluster = await _live(project, name, flex_only=True, lock=True)
        if cluster.termination_protection:
            raise ConflictError(
                f"Cluster {name!r} has termination protection enabled: turn it off "
                "(updateFlexCluster) before deleting it.",
                code="TERMINATION_PROTECTION_ENABLED",
            )
        await _refuse_while_restoring(cluster, "deleted")
        await _store(
            cluster, deleted_at=now, live_name=None, state=ClusterState.DELETING,
            next_snapshot_at=None,
        )  # fmt: skip
        await daily_snapshots.end_schedule(
            cluster.id, now, "The cluster was deleted before this snapshot was taken."
        )
    return cluster


async def upgrade_flex_cluster(
    principal: Principal,
    project_id: str,
    name: str,
    *,
    tier: ClusterTier = ClusterTier.M10,
    now: datetime,
) -> Cluster:
    """Atlas's tenantUpgrade: the cluster becomes ``tier`` with Cloud Backup
    enabled; its daily Flex schedule ends (its snapshots stay until they expire)."""
    project, scope = await _project(principal, project_id)
    async with authorize(principal, Action.UPGRADE_FLEX_CLUSTER, scope, subject=name, now=now):
        if not tier.is_dedicated:
            raise InvalidInputError(
                "A Flex cluster upgrades to M10 or larger.", code="INVALID_TIER"
            )
        async with in_transaction():
            cluster = await _live(project, name, flex_only=True, lock=True)
            await _refuse_while_restoring(cluster, "upgraded")
            await _store(cluster, tier=tier, backup_enabled=True, next_snapshot_at=None)
            await daily_snapshots.end_schedule(
                cluster.id, now,
                f"The cluster was upgraded to {tier.value} before this snapshot was taken.",
            )  # fmt: skip
    return cluster


async def set_cluster_connection(
    principal: Principal, project_id: str, name: str, connection: Connection, *, now: datetime
) -> Cluster:
    """Register (or replace) how the data plane reaches the cluster's replica set."""
    project, scope = await _project(principal, project_id)
    action = Action.SET_CLUSTER_CONNECTION
    async with authorize(principal, action, scope, subject=name, now=now):
        cluster = await _live(project, name)
        await _store(cluster, **_connection_fields(connection))
    return cluster


async def rotate_cluster_credentials(
    principal: Principal,
    project_id: str,
    name: str,
    *,
    username: str,
    password: str,
    now: datetime,
) -> Cluster:
    """Replace the stored credentials; the next connection uses the new ones."""
    project, scope = await _project(principal, project_id)
    action = Action.ROTATE_CLUSTER_CREDENTIALS
    async with authorize(principal, action, scope, subject=name, now=now):
        cluster = await _live(project, name)
        if cluster.connection_string is None:
            raise InvalidInputError(
                f"Cluster {name!r} has no connection string yet: set it first "
                "(setClusterConnection).",
                code="NO_CONNECTION",
            )
        await _store(cluster, credentials=_sealed(username, password))
    return cluster


async def settle_creating(fleet: Fleet, batch_size: int = 500) -> int:
    """CREATING clusters whose data plane reports a primary become IDLE (each
    tick; the simulated fleet reports one at once). How many did. At most a
    batch a tick, oldest first: the rest wait for the next."""
    # The predicate of idx_clusters_creating (migration 0006) as a literal, so
    # the planner reads that index: no scan of the fleet each tick.
    creating = (
        await Cluster.filter(state=RawSQL(f"'{ClusterState.CREATING.value}'"), deleted_at=None)
        .order_by("created_at", "id")
        .limit(batch_size)
    )
    if not creating:
        return 0
    found = await fleet.nodes([address_of(c) for c in creating])
    up = [
        c.id
        for c in creating
        if any(n.role is NodeRole.PRIMARY and n.healthy for n in found[c.id].nodes)
    ]
    if up:
        await Cluster.filter(id__in=up, state=ClusterState.CREATING).update(state=ClusterState.IDLE)
    return len(up)


async def _refuse_while_restoring(cluster: Cluster, what: str) -> None:
    if await BackupJob.exists(active_target_cluster_id=cluster.id):
        raise ConflictError(
            f"Cluster {cluster.name!r} has a restore queued or running: it can be {what} "
            "once the restore has finished.",
            code="RESTORE_IN_PROGRESS",
        )


async def _store(cluster: Cluster, **changes: object) -> None:
    if changes:
        await Cluster.filter(id=cluster.id).update(**changes)
        cluster.update_from_dict(changes)
