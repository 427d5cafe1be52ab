"""Batched job pages (one read for many clusters) equal each cluster's list, paged
by hand from all its rows: every shape of list, every page request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.expressions import Q

from graphql_api.domain.roles import ProjectRole
from graphql_api.models import BackupJob, Cluster, DeliveryType, Project
from graphql_api.schema.pagination import PageKey, count_loader, page_loader
from graphql_api.services.errors import InvalidInputError
from graphql_api.services.jobs import NEWEST_FIRST, jobs_of_clusters
from graphql_api.services.paging import Page, PageRequest, decode_cursor, encode_cursor, read_pages
from tests.conftest import NOW, GraphQLClient, World, job_row
from tests.sqlcount import count_statements

SIZE = 3
RESTORE, DOWNLOAD = DeliveryType.RESTORE, DeliveryType.DOWNLOAD


async def _job(
    kind: DeliveryType,
    source: Cluster,
    minutes_ago: int,
    into: Cluster | None = None,
    *,
    project_id: str | None = None,
) -> BackupJob:
    row = job_row(kind, source, NOW - timedelta(minutes=minutes_ago), into, project_id=project_id)
    await row.save()
    return row


async def _clusters(world: World) -> tuple[Project, list[Cluster]]:
    """Lists of 0, 1, exactly SIZE and more than SIZE jobs, of either kind, with
    a restore from A into B, from A into A, and a tie on created_at."""
    project = await world.project()
    a, b, c, d = [await world.cluster(project, name) for name in ("a", "b", "c", "d")]
    other = await world.cluster(await world.project(), "elsewhere")
    # restores: A has 5 (A->A, A->B, A->C, C->A, elsewhere->A), B 2 (A->B, B->B), C 2, D 0
    await _job(RESTORE, a, 1, a)
    await _job(RESTORE, a, 2, b)
    await _job(RESTORE, a, 3, c)
    await _job(RESTORE, c, 4, a)
    await _job(RESTORE, b, 5, b)
    # downloads: A 5 (two at the same time), B exactly SIZE, C 1, D 0
    for minutes in (1, 2, 2, 3, 4):
        await _job(DOWNLOAD, a, minutes)
    for minutes in (6, 7, 8):
        await _job(DOWNLOAD, b, minutes)
    await _job(DOWNLOAD, c, 9)
    # another project's cluster; and a (corrupt) row naming A under another project
    await _job(DOWNLOAD, other, 1)
    await _job(RESTORE, other, 1, a)
    await _job(DOWNLOAD, a, 1, project_id=other.project_id)
    return project, [a, b, c, d, other]


def _key(cluster: Cluster) -> tuple[str, str]:
    return (cluster.id, cluster.project_id)


async def list_jobs(kind: DeliveryType, request: PageRequest, cluster: Cluster) -> Page[BackupJob]:
    """The reference: the cluster's whole list read with the ORM, paged by hand."""
    mine = Q(cluster_id=cluster.id, project_id=cluster.project_id) | Q(
        target_cluster_id=cluster.id, target_project_id=cluster.project_id
    )
    rows = list(await BackupJob.filter(mine, delivery_type=kind).order_by(*NEWEST_FIRST.fields))
    size, cursor, backwards = request.validated()
    if backwards:
        rows.reverse()
    if cursor is not None:  # newest first: "after" is older; backwards, "before" is newer
        at = decode_cursor(cursor, NEWEST_FIRST, BackupJob)
        keys = [(r, NEWEST_FIRST.key(r)) for r in rows]
        rows = [r for r, k in keys if (k > at if backwards else k < at)]
    page, more = rows[:size], size > 0 and len(rows) > size  # first: 0 reads nothing
    if backwards:
        page.reverse()
    total = await BackupJob.filter(mine, delivery_type=kind).count()

    async def count() -> int:
        return total

    return Page(
        items=page,
        cursors=[encode_cursor(NEWEST_FIRST.key(r)) for r in page],
        has_next_page=more if not backwards else cursor is not None,
        has_previous_page=more if backwards else cursor is not None,
        count=count,
    )


async def _same(batched: Page[BackupJob], expected: Page[BackupJob]) -> None:
    assert [j.id for j in batched.items] == [j.id for j in expected.items]
    assert batched.cursors == expected.cursors
    assert batched.has_next_page == expected.has_next_page
    assert batched.has_previous_page == expected.has_previous_page
    assert await batched.count() == await expected.count()


async def _requests(clusters: list[Cluster]) -> list[PageRequest]:
    middle = (await list_jobs(DOWNLOAD, PageRequest(first=2), clusters[0])).cursors[-1]
    return [
        PageRequest(first=SIZE),
        PageRequest(last=SIZE),
        PageRequest(),
        PageRequest(first=1),
        PageRequest(last=1),
        PageRequest(first=0),
        PageRequest(last=0),
        PageRequest(first=SIZE, after=middle),
        PageRequest(last=SIZE, before=middle),
    ]


@pytest.mark.parametrize("kind", [RESTORE, DOWNLOAD])
async def test_batched_pages_equal_list_jobs(world: World, kind: DeliveryType) -> None:
    _, clusters = await _clusters(world)
    for request in await _requests(clusters):
        batched = await read_pages(jobs_of_clusters(kind), [_key(c) for c in clusters], request)
        assert list(batched) == [_key(c) for c in clusters]
        for cluster in clusters:
            expected = await list_jobs(kind, request, cluster)
            await _same(batched[_key(cluster)], expected)


async def test_the_data_has_every_shape(world: World) -> None:
    """Guards the test above: the lists really are 0, 1, SIZE and more long."""
    _, clusters = await _clusters(world)
    totals = {}
    for kind in (RESTORE, DOWNLOAD):
        for cluster in clusters:
            page = await read_pages(jobs_of_clusters(kind), [_key(cluster)], PageRequest())
            totals[(kind, cluster.name)] = await page[_key(cluster)].count()
    assert totals == {
        (RESTORE, "a"): 5, (RESTORE, "b"): 2, (RESTORE, "c"): 2, (RESTORE, "d"): 0,
        (RESTORE, "elsewhere"): 1,
        (DOWNLOAD, "a"): 5, (DOWNLOAD, "b"): SIZE, (DOWNLOAD, "c"): 1, (DOWNLOAD, "d"): 0,
        (DOWNLOAD, "elsewhere"): 1,
    }  # fmt: skip


async def test_loader_pages_equal_list_jobs_in_a_fixed_number_of_statements(
    world: World,
) -> None:
    _, clusters = await _clusters(world)
    by_key = {_key(c): c for c in clusters}
    for request in await _requests(clusters):
        counts = count_loader()
        pages = page_loader(counts)
        keys = [
            PageKey(jobs_of_clusters(kind), _key(c), request)
            for kind in (RESTORE, DOWNLOAD)
            for c in clusters
        ]
        with count_statements() as statements:
            found = [await p for p in [pages.load(k) for k in keys]]
            totals = [await c for c in [page.count() for page in found]]
        # Per kind, for all the clusters, with or without a cursor: one read of
        # the pages, and one count statement unless the pages read from the
        # start (their rows carry the lists' lengths).
        reads = 0 if request.first == 0 or request.last == 0 else 2
        from_start = request.after is None and request.before is None and reads
        assert len(statements) == reads + (0 if from_start else 2), statements
        for key, page, total in zip(keys, found, totals, strict=True):
            kind = RESTORE if key.listing == jobs_of_clusters(RESTORE) else DOWNLOAD
            expected = await list_jobs(kind, request, by_key[key.parent])  # type: ignore[index]
            await _same(page, expected)
            assert total == await expected.count()


async def test_bad_page_arguments_are_refused_as_before(gql: GraphQLClient, world: World) -> None:
    project, _ = await _clusters(world)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    query = """query($id: ID!, $first: Int, $after: String) { project(id: $id) {
      clusters(first: 10) { nodes { downloadJobs(first: $first, after: $after) { totalCount } } }
    } }"""
    for variables, message in (
        ({"first": 2, "after": "bm90LWEtY3Vyc29y"}, "is not valid for this list"),
        ({"first": 1000}, "first must be between 0 and"),
    ):
        body = await gql(query, owner, {"id": project.id, **variables})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert message in body["errors"][0]["message"]
        assert body["errors"][0]["path"][-1] == "downloadJobs"


async def test_batched_pages_reject_what_list_jobs_rejects(world: World) -> None:
    _, clusters = await _clusters(world)
    for request in (PageRequest(first=1, last=1), PageRequest(first=1000)):
        with pytest.raises(InvalidInputError):
            await read_pages(jobs_of_clusters(RESTORE), [_key(clusters[0])], request)
