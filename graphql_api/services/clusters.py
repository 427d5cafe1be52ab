"""Clusters: creating them (use cases, CLI, demo) and reading them for a project.

A deleted cluster's row stays, marked ``deleted_at``, while its snapshots
are kept (see services/cluster_lifecycle.py); every lookup by name finds
the live cluster of that name only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from tortoise import connections
from tortoise.exceptions import IntegrityError

from graphql_api.domain import schedule
from graphql_api.domain.clusters import (
    DEFAULT_MONGODB_VERSION,
    ClusterState,
    ClusterTier,
    ClusterType,
    ResourceTag,
    full_version,
    tags_problem,
)
from graphql_api.domain.names import MAX_NAME_LENGTH, could_be_stored
from graphql_api.domain.regions import (
    CloudProvider,
    UnknownRegionError,
    lookup_region,
    region_example,
    regions_of,
)
from graphql_api.fleet.base import ClusterAddress
from graphql_api.models import Cluster, Project
from graphql_api.services import authorization, credentials
from graphql_api.services.authentication import Principal
from graphql_api.services.errors import ConflictError, InvalidInputError, NotFoundError
from graphql_api.services.paging import Eq, IsNull, Listing, NotEq, Order
from graphql_api.services.rows import RowBuilder, numbered
from graphql_api.services.validation import require_id

CLUSTER_ORDER = Order(("name", "id"))
MAX_VERSION_LENGTH = 16  # the column's


def _region_code(provider: CloudProvider, region: str) -> str:
    """The provider's code for a region given in either form (``us-east-1`` or
    Atlas's ``US_EAST_1``): the code is what is stored, so a cluster lands in
    the same storage location whichever form was sent."""
    try:
        return lookup_region(provider, region).code
    except UnknownRegionError as exc:
        example = region_example(provider)
        valid = ", ".join(
            r.code if r.atlas_name is None else f"{r.code} ({r.atlas_name})"
            for r in regions_of(provider)
        )
        raise InvalidInputError(
            f"Unknown region: {exc}. Give the provider's region code (e.g. {example.code}) "
            f"or Atlas's region name (e.g. {example.atlas_name}). "
            f"Valid {provider.value} regions: {valid}.",
            code="UNKNOWN_REGION",
        ) from None


async def create_cluster(
    project: Project,
    name: str,
    *,
    tier: ClusterTier,
    provider: CloudProvider,
    region: str,
    mongodb_version: str = DEFAULT_MONGODB_VERSION,
    cluster_type: ClusterType = ClusterType.REPLICASET,
    backup_enabled: bool = True,
    created_at: datetime,
    tags: Sequence[ResourceTag] = (),
    termination_protection: bool = False,
    state: ClusterState = ClusterState.IDLE,
) -> Cluster:
    """A cluster, scheduled for its first snapshot a day after ``created_at``.

    The operator's builder (demo, seeds): the API's use cases also hold the
    name to Atlas's pattern (services/cluster_lifecycle.py)."""
    name = name.strip()
    if not could_be_stored(name):
        raise InvalidInputError(
            f"Cluster name must be 1 to {MAX_NAME_LENGTH} characters, none of them NUL.",
            code="INVALID_CLUSTER_NAME",
        )
    region = _region_code(provider, region)
    if problem := tags_problem(tags):
        raise InvalidInputError(problem, code="INVALID_TAGS")
    try:
        version = full_version(mongodb_version)
        if len(version) > MAX_VERSION_LENGTH:
            raise ValueError(version)
    except ValueError:
        raise InvalidInputError(
            f"MongoDB version {mongodb_version!r} is not X.Y or X.Y.Z.", code="INVALID_VERSION"
        ) from None
    if tier is ClusterTier.FLEX and cluster_type is ClusterType.SHARDED:
        raise InvalidInputError("Flex clusters are always replica sets.")
    try:
        cluster = await Cluster.create(
            project=project,
            name=name,
            live_name=name,
            tier=tier,
            cluster_type=cluster_type,
            cloud_provider=provider,
            region=region,
            mongodb_version=version,
            backup_enabled=backup_enabled,
            created_at=created_at,
            tags=[{"key": t.key, "value": t.value} for t in tags],
            termination_protection=termination_protection,
            state=state,
            next_snapshot_at=(
                schedule.first_slot(created_at)
                if backup_enabled and tier is ClusterTier.FLEX
                else None
            ),
        )
    except IntegrityError:
        raise ConflictError(
            f"Project already has a cluster named {name!r}.", code="DUPLICATE_CLUSTER_NAME"
        ) from None
    return cluster


def tags_of(cluster: Cluster) -> list[ResourceTag]:
    return [ResourceTag(t["key"], t["value"]) for t in cluster.tags or []]


def address_of(cluster: Cluster) -> ClusterAddress:
    """What the data plane needs to reach the cluster: its seed list and, for
    a registered replica set, its credentials decrypted (in memory only)."""
    found = None if cluster.credentials is None else credentials.unseal(cluster.credentials)
    return ClusterAddress(
        id=cluster.id,
        name=cluster.name,
        mongodb_version=cluster.mongodb_version,
        connection_string=cluster.connection_string,
        username=None if found is None else found.username,
        password=None if found is None else found.password,
    )


def clusters_of_projects(
    tier: ClusterTier | None = None, *, include_deleted: bool = False
) -> Listing[Cluster]:
    """Each project's live clusters by name (and the deleted ones if asked),
    of one tier if given."""
    live = () if include_deleted else (IsNull("deleted_at"),)
    where = live + (() if tier is None else (Eq("tier", tier),))
    return Listing(Cluster, CLUSTER_ORDER, parents=("project_id",), where=where)


def cloud_backup_clusters_of_projects() -> Listing[Cluster]:
    """Each project's live M10+ clusters with Cloud Backup enabled."""
    where = (IsNull("deleted_at"), Eq("backup_enabled", True), NotEq("tier", ClusterTier.FLEX))
    return Listing(Cluster, CLUSTER_ORDER, parents=("project_id",), where=where)


async def clusters_named(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Cluster]:
    """Live clusters by (project id, name), in one statement."""
    wanted = {(p, n) for p, n in keys if could_be_stored(n)}
    if not wanted:
        return {}
    rows = await Cluster.filter(
        project_id__in={p for p, _ in wanted}, live_name__in={n for _, n in wanted}
    )
    return {(c.project_id, c.name): c for c in rows if (c.project_id, c.name) in wanted}


async def find_cluster(
    principal: Principal, project_id: str, name: str
) -> tuple[Project | None, Cluster | None]:
    """The caller's project and its live cluster by name, or None for either: one
    statement when the cluster is there (a Backup tab), two when not."""
    project_id = require_id(project_id, "Project id")
    if could_be_stored(name):
        found = await _readable_cluster(principal, project_id, name)
        if found is not None:
            return found.project, found
    return await authorization.find_project(principal, project_id), None


@functools.cache
def _project_columns() -> str:
    """The project's columns, each as ``project__<column>`` (once Tortoise knows them)."""
    return ", ".join(f'p.{c} AS "project__{c}"' for c in sorted(Project._meta.db_fields))


async def _readable_cluster(principal: Principal, project_id: str, name: str) -> Cluster | None:
    """The live cluster with its project, if the caller may read it: one
    statement written once (Tortoise's query building was a third of a
    Backup tab's time), its rows made by ``RowBuilder``."""
    readable = authorization.readable_sql(principal, "c.project_id", "p.organization_id")
    # Only column names and placeholders are formatted in; every value is bound.
    sql = (
        f"SELECT c.*, {_project_columns()} FROM clusters c JOIN projects p ON p.id = c.project_id"  # noqa: S608
        f" WHERE c.project_id = {{}} AND c.live_name = {{}} AND {readable.sql} LIMIT 1"
    )
    db = connections.get("default")
    _, records = await db.execute_query(numbered(db, sql), [project_id, name, *readable.values])
    if not records:
        return None
    cluster: Cluster = RowBuilder.of(Cluster)(records[0])
    cluster.__dict__["_project"] = RowBuilder.of(Project, prefix="project__")(records[0])
    return cluster


async def get_cluster(project: Project, name: str, *, lock: bool = False) -> Cluster | None:
    """The project's live cluster of that name. ``lock`` (inside a transaction)
    holds its row until the transaction ends: deleting, upgrading and queueing
    a restore into a cluster take it, so each sees the others' outcome."""
    if not could_be_stored(name):
        return None
    query = Cluster.filter(project_id=project.id, live_name=name)
    return await (query.select_for_update() if lock else query).first()


async def list_clusters(
    principal: Principal, project_id: str, *, include_deleted: bool = False
) -> list[Cluster]:
    """A project's clusters by name, for the CLI (GraphQL pages project.clusters)."""
    project = await authorization.find_project(principal, require_id(project_id, "Project id"))
    if project is None:
        raise NotFoundError(f"No project {project_id} among your projects.")
    query = Cluster.filter(project_id=project.id)
    if not include_deleted:
        query = query.filter(deleted_at=None)
    return await query.order_by("name", "id")
