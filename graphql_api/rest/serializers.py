"""Models to Atlas shapes (schemas.py names every field written here).

Absent values are left out, as Atlas does; timestamps are ISO-8601 UTC
with a Z; every object links to itself on this server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql_api.domain.clusters import DISK_SIZE_GB, ClusterState, shown_version
from graphql_api.domain.regions import atlas_region_name
from graphql_api.models import BackupJob, Cluster, Snapshot
from graphql_api.services.authentication import Principal
from graphql_api.services.downloads import visible_url
from graphql_api.settings import Settings

# Atlas's stateName has no RESTORING: a cluster being restored is being updated.
STATE_NAMES = {ClusterState.RESTORING: "UPDATING"}


@dataclass(frozen=True, slots=True)
class Urls:
    """Absolute URLs of this server's REST resources."""

    base: str  # e.g. https://backups.example.com (PUBLIC_URL, else the request's origin)

    @property
    def api(self) -> str:
        return f"{self.base.rstrip('/')}/api/atlas/v2"

    def group(self, group_id: str) -> str:
        return f"{self.api}/groups/{group_id}"

    def cluster(self, group_id: str, name: str) -> str:
        return f"{self.group(group_id)}/flexClusters/{name}"


def self_link(href: str) -> list[dict[str, str]]:
    return [{"href": href, "rel": "self"}]


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def flex_cluster(cluster: Cluster, urls: Urls) -> dict[str, Any]:
    return _present(
        {
            "id": cluster.id,
            "groupId": cluster.project_id,
            "name": cluster.name,
            "clusterType": "REPLICASET",
            "mongoDBVersion": shown_version(cluster.mongodb_version),
            "createDate": timestamp(cluster.created_at),
            "stateName": STATE_NAMES.get(cluster.state, cluster.state.value),
            "versionReleaseSystem": "LTS",
            "providerSettings": {
                "backingProviderName": cluster.cloud_provider.value,
                "providerName": "FLEX",
                "regionName": atlas_region_name(cluster.cloud_provider, cluster.region),
                "diskSizeGB": DISK_SIZE_GB[cluster.tier],
            },
            "backupSettings": {"enabled": cluster.backup_enabled},
            "terminationProtectionEnabled": cluster.termination_protection,
            "connectionStrings": _present({"standard": cluster.connection_string}),
            "tags": [{"key": t["key"], "value": t["value"]} for t in cluster.tags or []],
            "links": self_link(urls.cluster(cluster.project_id, cluster.name)),
        }
    )


def snapshot(row: Snapshot, cluster: Cluster, urls: Urls) -> dict[str, Any]:
    href = f"{urls.cluster(cluster.project_id, cluster.name)}/backup/snapshots/{row.id}"
    return _present(
        {
            "id": row.id,
            "status": row.status.value,
            "mongoDBVersion": shown_version(row.mongodb_version),
            "scheduledTime": timestamp(row.scheduled_time),
            "startTime": timestamp(row.start_time),
            "finishTime": timestamp(row.finish_time),
            "expiration": timestamp(row.expiration),
            "links": self_link(href),
        }
    )


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job's shape needs beyond its row: the caller (for the link),
    the cluster whose list it is shown in, source cluster names, the clock."""

    principal: Principal
    cluster: Cluster
    source_names: Mapping[str, str]
    urls: Urls
    settings: Settings
    now: datetime


def restore_job(job: BackupJob, ctx: JobContext) -> dict[str, Any]:
    href = (
        f"{ctx.urls.cluster(ctx.cluster.project_id, ctx.cluster.name)}/backup/restoreJobs/{job.id}"
    )
    return _present(
        {
            "id": job.id,
            "snapshotId": job.snapshot_id,
            "projectId": job.project_id,
            "targetProjectId": job.target_project_id,
            "instanceName": ctx.source_names.get(job.cluster_id),
            "targetDeploymentItemName": job.target_cluster_name,
            "deliveryType": job.delivery_type.value,
            "status": job.status.value,
            "snapshotUrl": visible_url(ctx.principal, job, ctx.urls.base, ctx.settings, ctx.now),
            "expirationDate": timestamp(job.expires_at),
            "restoreScheduledDate": timestamp(job.created_at),
            "restoreFinishedDate": timestamp(job.finished_at),
            "snapshotFinishedDate": timestamp(job.snapshot_finished_at),
            "links": self_link(href),
        }
    )
