"""Per-request batching of the clusters' job lists (``restoreJobs``, ``downloadJobs``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from graphql_api.models import BackupJob, DeliveryType
from graphql_api.services import jobs as job_service
from graphql_api.services.errors import ServiceError
from graphql_api.services.jobs import ClusterJobs
from graphql_api.services.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class JobCountKey:
    kind: DeliveryType
    cluster: ClusterJobs


@dataclass(frozen=True, slots=True)
class JobPageKey:
    kind: DeliveryType
    cluster: ClusterJobs
    page: PageRequest


def job_count_loader() -> DataLoader[JobCountKey, int]:
    """A cluster's ``totalCount`` of jobs: one GROUP BY statement per kind."""

    async def load(keys: list[JobCountKey]) -> list[int]:
        by_kind: dict[DeliveryType, list[ClusterJobs]] = defaultdict(list)
        for key in keys:
            by_kind[key.kind].append(key.cluster)
        counts = {
            kind: await job_service.count_jobs_of_clusters(kind, clusters)
            for kind, clusters in by_kind.items()
        }
        return [counts[key.kind][key.cluster] for key in keys]

    return DataLoader(load)


def job_page_loader(
    counts: DataLoader[JobCountKey, int],
) -> DataLoader[JobPageKey, Page[BackupJob]]:
    """A page of a cluster's jobs: the keys asking for the same kind and page
    shape share one statement (see ``list_jobs_of_clusters``; a page with an
    ``after``/``before`` cursor is still read per cluster), and each page's
    ``totalCount`` goes through ``counts``, so it is batched too and read only
    when asked for."""

    async def load(keys: list[JobPageKey]) -> list[Page[BackupJob] | BaseException]:
        groups: dict[tuple[DeliveryType, PageRequest], list[ClusterJobs]] = defaultdict(list)
        for key in keys:
            groups[(key.kind, key.page)].append(key.cluster)
        found: dict[tuple[DeliveryType, PageRequest], dict[ClusterJobs, Page[BackupJob]]] = {}
        failed: dict[tuple[DeliveryType, PageRequest], ServiceError] = {}
        for (kind, page), clusters in groups.items():

            def counter(c: ClusterJobs, kind: DeliveryType = kind) -> Awaitable[int]:
                return counts.load(JobCountKey(kind, c))

            try:
                found[(kind, page)] = await job_service.list_jobs_of_clusters(
                    kind, page, clusters, counter=counter
                )
            except ServiceError as error:  # a bad cursor fails its own fields only
                failed[(kind, page)] = error
        return [
            failed[(k.kind, k.page)]
            if (k.kind, k.page) in failed
            else found[(k.kind, k.page)][k.cluster]
            for k in keys
        ]

    return DataLoader(load)
