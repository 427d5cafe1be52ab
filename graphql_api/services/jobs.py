"""Reading restore and download jobs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, NamedTuple

from pypika_tortoise import Order as SqlOrder
from pypika_tortoise import Table
from pypika_tortoise.analytics import RowNumber
from pypika_tortoise.context import SqlContext
from pypika_tortoise.functions import Count
from pypika_tortoise.terms import Criterion, ValueWrapper
from pypika_tortoise.utils import format_alias_sql
from tortoise.expressions import Q

from graphql_api.models import BackupJob, DeliveryType, Project
from graphql_api.services.access import Principal
from graphql_api.services.pagination import (
    Order,
    Page,
    PageRequest,
    encode_cursor,
    paginate_query,
)
from graphql_api.services.projects import require_id

NEWEST_FIRST = Order(("-created_at", "-id"))


async def list_jobs(
    kind: DeliveryType,
    page: PageRequest,
    *,
    project_id: str,
    cluster_id: str | None = None,
) -> Page[BackupJob]:
    """A project's jobs (of its snapshots, or restoring into its clusters)."""
    query = BackupJob.filter(delivery_type=kind).filter(
        Q(project_id=project_id) | Q(target_project_id=project_id)
    )
    if cluster_id is not None:
        query = query.filter(Q(cluster_id=cluster_id) | Q(target_cluster_id=cluster_id))
    return await paginate_query(query, NEWEST_FIRST, page)


class ClusterJobs(NamedTuple):
    """One cluster's job list, as ``list_jobs(project_id=..., cluster_id=...)`` reads it."""

    cluster_id: str
    project_id: str


Counter = Callable[[ClusterJobs], Awaitable[int]]


async def list_jobs_of_clusters(
    kind: DeliveryType,
    page: PageRequest,
    clusters: Sequence[ClusterJobs],
    *,
    counter: Counter | None = None,
) -> dict[ClusterJobs, Page[BackupJob]]:
    """The same page of several clusters' jobs, each equal to what ``list_jobs``
    returns for that cluster (items, cursors, hasNext/PreviousPage).

    Without a cursor (``first`` or ``last`` alone, the usual nested list) it is
    one SQL statement for all the clusters, however many jobs they have: a
    window function numbers each cluster's jobs and only the first ``size + 1``
    of each are read. With ``after``/``before`` it falls back to one
    ``list_jobs`` per cluster: paging one nested list is a client following a
    single cluster, not a list of clusters.

    ``totalCount`` is computed only when asked: by ``counter`` when given (say
    a DataLoader over ``count_jobs_of_clusters``), else one count per cluster.
    Raises InvalidInputError for a bad page request or cursor.
    """
    size, cursor, backwards = page.validated()
    wanted = list(dict.fromkeys(clusters))
    count: Counter = counter or partial(_count_one, kind)
    if cursor is not None:
        pages = {}
        for c in wanted:
            one = await list_jobs(kind, page, project_id=c.project_id, cluster_id=c.cluster_id)
            pages[c] = replace(one, count=partial(count, c)) if counter else one
        return pages
    rows = await _first_rows(kind, wanted, size + 1, backwards) if size and wanted else {}
    pages = {}
    for c in wanted:
        found = rows.get(c, [])
        more = len(found) > size
        items = found[:size]
        if backwards:
            items.reverse()
        pages[c] = Page(
            items=items,
            cursors=[encode_cursor(NEWEST_FIRST.key(j)) for j in items],
            has_next_page=more and not backwards,
            has_previous_page=more and backwards,
            count=partial(count, c),
        )
    return pages


async def count_jobs_of_clusters(
    kind: DeliveryType, clusters: Sequence[ClusterJobs]
) -> dict[ClusterJobs, int]:
    """How many jobs each cluster's list has (``totalCount``), in one statement."""
    wanted = list(dict.fromkeys(clusters))
    if not wanted:
        return {}
    db = BackupJob._meta.db
    jobs, keys = _jobs_of(wanted)
    query = (
        db.query_class.from_(jobs)
        .join(keys)
        .on(_belongs(jobs, keys))
        .where(jobs.delivery_type == ValueWrapper(kind.value))
        .groupby(keys.column1, keys.column2)
        .select(keys.column1, keys.column2, Count("*").as_("n"))
    )
    _, rows = await db.execute_query(*query.get_parameterized_sql())
    counts = {ClusterJobs(row["column1"], row["column2"]): row["n"] for row in map(dict, rows)}
    return {c: counts.get(c, 0) for c in wanted}


async def _count_one(kind: DeliveryType, c: ClusterJobs) -> int:
    return (await count_jobs_of_clusters(kind, [c]))[c]


class _Values(Table):
    """``(VALUES (?, ?), ...) alias``: a parameterized table of constant rows,
    whose columns are ``column1``, ``column2``... on SQLite and PostgreSQL alike."""

    def __init__(self, rows: Sequence[Sequence[Any]], alias: str) -> None:
        super().__init__("values", alias=alias)
        self._rows = [[ValueWrapper(v) for v in row] for row in rows]

    def get_sql(self, ctx: SqlContext) -> str:
        rows = ",".join("(" + ",".join(v.get_sql(ctx) for v in row) + ")" for row in self._rows)
        return format_alias_sql(f"(VALUES {rows})", self.alias, ctx)


def _jobs_of(clusters: Sequence[ClusterJobs]) -> tuple[Table, _Values]:
    return Table(BackupJob._meta.db_table).as_("j"), _Values(clusters, "k")


def _belongs(jobs: Table, keys: _Values) -> Criterion:
    """``list_jobs``'s filter, per key row: the job is of (or into) the cluster,
    and of (or into) the project. A restore from A into B joins both A's and
    B's key rows; one from A into A joins A's once."""
    return ((jobs.cluster_id == keys.column1) | (jobs.target_cluster_id == keys.column1)) & (
        (jobs.project_id == keys.column2) | (jobs.target_project_id == keys.column2)
    )


async def _first_rows(
    kind: DeliveryType, clusters: Sequence[ClusterJobs], limit: int, backwards: bool
) -> dict[ClusterJobs, list[BackupJob]]:
    """The first ``limit`` jobs of each cluster in NEWEST_FIRST (oldest first
    when ``backwards``), as paginate_query would read them, in one statement."""
    db = BackupJob._meta.db
    jobs, keys = _jobs_of(clusters)
    direction = SqlOrder.asc if backwards else SqlOrder.desc
    number = RowNumber().over(keys.column1, keys.column2)
    for name in NEWEST_FIRST.names:
        number = number.orderby(jobs.field(name), order=direction)
    columns = list(BackupJob._meta.fields_db_projection.values())
    numbered = (
        db.query_class.from_(jobs)
        .join(keys)
        .on(_belongs(jobs, keys))
        .where(jobs.delivery_type == ValueWrapper(kind.value))
        .select(
            *(jobs.field(c) for c in columns),
            keys.column1.as_("owner_cluster_id"),
            keys.column2.as_("owner_project_id"),
            number.as_("rank_in_cluster"),
        )
    ).as_("numbered")
    query = (
        db.query_class.from_(numbered)
        .select(numbered.star)
        .where(numbered.rank_in_cluster <= ValueWrapper(limit))
    )
    _, rows = await db.execute_query(*query.get_parameterized_sql())
    ranked: dict[ClusterJobs, list[tuple[int, BackupJob]]] = defaultdict(list)
    for row in map(dict, rows):
        owner = ClusterJobs(row["owner_cluster_id"], row["owner_project_id"])
        job = BackupJob._init_from_db(**{c: row[c] for c in columns})
        ranked[owner].append((row["rank_in_cluster"], job))
    return {
        owner: [job for _, job in sorted(found, key=lambda ranked_job: ranked_job[0])]
        for owner, found in ranked.items()
    }


async def get_job(principal: Principal, job_id: str) -> BackupJob | None:
    """Visible to anyone who can read its source or its target project."""
    require_id(job_id, "Job id")
    job = await BackupJob.get_or_none(id=job_id)
    if job is None:
        return None
    ids = [job.project_id] + ([job.target_project_id] if job.target_project_id else [])
    readable = await Project.filter(principal.readable_projects(), id__in=ids).exists()
    return job if readable else None
