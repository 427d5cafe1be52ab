"""The operations: each checks what the path names, calls the service
function GraphQL calls, and shapes the answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from graphql_api.domain.clusters import ClusterTier
from graphql_api.models import BackupJob, Cluster, Project, Snapshot
from graphql_api.rest import serializers
from graphql_api.rest.errors import ApiError, from_refusals, validation_error
from graphql_api.rest.pagination import PageAsked, page_body, read_numbered
from graphql_api.rest.params import is_id
from graphql_api.rest.schemas import DEPLOYMENT_NAME_PATTERN
from graphql_api.rest.serializers import JobContext, Urls
from graphql_api.services import (
    authorization,
    clusters,
    downloads,
    jobs,
    projects,
    restores,
    snapshots,
)
from graphql_api.services.authentication import Principal
from graphql_api.settings import Settings

# Refusal fields named as the REST body names them.
REST_FIELDS = {
    "snapshotId": "snapshotId",
    "targetClusterName": "targetDeploymentItemName",
    "confirmTargetClusterName": "targetDeploymentItemName",
}


@dataclass(frozen=True, slots=True)
class Call:
    """One request, checked: the caller, the path's parameters, the page
    asked for (lists), the body (POST)."""

    request: Request
    principal: Principal
    path: dict[str, str]
    settings: Settings
    now: datetime
    urls: Urls
    page: PageAsked
    body: dict[str, Any]

    @property
    def group_id(self) -> str:
        return self.path["groupId"]

    @property
    def name(self) -> str:
        return self.path["name"]


async def _project(call: Call) -> Project:
    project = await projects.get_project(call.principal, call.group_id)
    if project is None:
        raise _no_group(call.group_id)
    return project


def _no_group(group_id: str) -> ApiError:
    return ApiError(
        404, "GROUP_NOT_FOUND", f"No project {group_id} among your projects.", parameters=[group_id]
    )


async def _flex_cluster(call: Call) -> Cluster:
    """The Flex cluster the path names, in a project the caller reads."""
    project, cluster = await clusters.find_cluster(call.principal, call.group_id, call.name)
    if project is None:
        raise _no_group(call.group_id)
    if cluster is None:
        raise ApiError(
            404,
            "CLUSTER_NOT_FOUND",
            f"No cluster named {call.name} exists in group {call.group_id}.",
            parameters=[call.name, call.group_id],
        )
    if cluster.tier is not ClusterTier.FLEX:
        raise ApiError(
            400,
            "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API",
            f"Cluster {call.name} is not a Flex cluster ({cluster.tier.value}): "
            "the Flex API serves Flex clusters only.",
            parameters=[call.name],
        )
    return cluster


async def _snapshot_of(call: Call, cluster: Cluster, snapshot_id: str) -> Snapshot:
    snapshot, _ = await snapshots.find_snapshot(call.principal, snapshot_id)
    if snapshot is None or snapshot.cluster_id != cluster.id:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No snapshot {snapshot_id} of Flex cluster {cluster.name}.",
            parameters=[snapshot_id],
        )
    return snapshot


def _body_id(call: Call, field: str, *, required: bool = True) -> str | None:
    value = call.body.get(field)
    if value is None and not required:
        return None
    if value is None:
        raise validation_error(field, f"{field} is required.")
    if not is_id(value):
        raise validation_error(field, f"{field} must be 24 lowercase hexadecimal characters.")
    return str(value)


async def _job_context(call: Call, cluster: Cluster, rows: Sequence[BackupJob]) -> JobContext:
    """Names of the jobs' source clusters: this one, and others restoring into
    it whose project the caller may read (a restore from a project they cannot
    read does not reveal its cluster's name). Two statements at most, only
    when there are such jobs."""
    names = {cluster.id: cluster.name}
    others = {(j.cluster_id, j.project_id) for j in rows if j.cluster_id != cluster.id}
    if others:
        visible = set(
            await Project.filter(
                authorization.readable(call.principal), id__in={p for _, p in others}
            ).values_list("id", flat=True)
        )
        ids = [c for c, p in others if p in visible]
        if ids:
            names.update(await Cluster.filter(id__in=ids).values_list("id", "name"))
    return JobContext(call.principal, cluster, names, call.urls, call.settings, call.now)


async def list_flex_clusters(call: Call) -> dict[str, Any]:
    project = await _project(call)
    listing = clusters.clusters_of_projects(ClusterTier.FLEX)
    page = await read_numbered(listing, project.id, call.page)
    results = [serializers.flex_cluster(c, call.urls) for c in page.rows]
    return page_body(str(call.request.url), results, page, call.page)


async def get_flex_cluster(call: Call) -> dict[str, Any]:
    return serializers.flex_cluster(await _flex_cluster(call), call.urls)


async def list_snapshots(call: Call) -> dict[str, Any]:
    cluster = await _flex_cluster(call)
    page = await read_numbered(snapshots.snapshots_of_clusters(), cluster.id, call.page)
    results = [serializers.snapshot(s, cluster, call.urls) for s in page.rows]
    return page_body(str(call.request.url), results, page, call.page)


async def get_snapshot(call: Call) -> dict[str, Any]:
    cluster = await _flex_cluster(call)
    snapshot = await _snapshot_of(call, cluster, call.path["snapshotId"])
    return serializers.snapshot(snapshot, cluster, call.urls)


async def download(call: Call) -> dict[str, Any]:
    snapshot_id = _body_id(call, "snapshotId")
    assert snapshot_id is not None
    cluster = await _flex_cluster(call)
    await _snapshot_of(call, cluster, snapshot_id)
    job = await downloads.request_download(call.principal, snapshot_id, call.settings, call.now)
    return serializers.restore_job(job, await _job_context(call, cluster, [job]))


def _target_name(call: Call) -> str:
    value = call.body.get("targetDeploymentItemName")
    if value is None:
        raise validation_error("targetDeploymentItemName", "targetDeploymentItemName is required.")
    if not isinstance(value, str) or not re.fullmatch(DEPLOYMENT_NAME_PATTERN, value):
        raise validation_error(
            "targetDeploymentItemName",
            "targetDeploymentItemName must be the target cluster's name: 1 to 64 letters, "
            "digits or -_.(),:&@+' characters.",
        )
    return value


async def create_restore_job(call: Call) -> dict[str, Any]:
    """The REST call names its target explicitly (targetDeploymentItemName is
    required), so it is the confirmation GraphQL asks to be typed twice."""
    snapshot_id = _body_id(call, "snapshotId")
    target_name = _target_name(call)
    target_project_id = _body_id(call, "targetProjectId", required=False) or call.group_id
    assert snapshot_id is not None
    cluster = await _flex_cluster(call)
    await _snapshot_of(call, cluster, snapshot_id)
    result = await restores.request_restore(
        call.principal,
        snapshot_id=snapshot_id,
        target_project_id=target_project_id,
        target_cluster_name=target_name,
        confirm_target_cluster_name=target_name,
        now=call.now,
    )
    if result.refusals or result.job is None:
        raise from_refusals(result.refusals, REST_FIELDS)
    return serializers.restore_job(result.job, await _job_context(call, cluster, [result.job]))


async def list_restore_jobs(call: Call) -> dict[str, Any]:
    cluster = await _flex_cluster(call)
    listing = jobs.jobs_of_clusters(None)
    page = await read_numbered(listing, (cluster.id, cluster.project_id), call.page)
    context = await _job_context(call, cluster, page.rows)
    results = [serializers.restore_job(j, context) for j in page.rows]
    return page_body(str(call.request.url), results, page, call.page)


async def get_restore_job(call: Call) -> dict[str, Any]:
    cluster = await _flex_cluster(call)
    job_id = call.path["restoreJobId"]
    job = await jobs.get_job(call.principal, job_id)
    if job is None or not jobs.belongs_to_cluster(job, cluster.id, cluster.project_id):
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No restore job {job_id} of Flex cluster {cluster.name}.",
            parameters=[job_id],
        )
    return serializers.restore_job(job, await _job_context(call, cluster, [job]))
