"""The three API scenarios, each as a GraphQL request and as the baseline's
plain JSON request that returns the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BACKUP_TAB = """
query BackupTab($projectId: ID!, $name: String!, $first: Int!) {
  cluster(projectId: $projectId, name: $name) {
    id name tier stateName mongoDBVersion createDate
    snapshotStorageLocation { id name }
    backupPolicy {
      enabled frequencyIntervalHours snapshotTimeOfDayUtc retainedSnapshots
      firstSnapshotTime nextSnapshotTime
      customPolicies { supported reason } onDemandSnapshots { supported reason }
    }
    snapshots(first: $first) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes {
        id status scheduledTime startTime finishTime expiration mongoDBVersion
        sourceNodeHostname storageLocation { id name } sizeBytes sha256
      }
    }
  }
}
"""

DAILY_SNAPSHOTS = """
query DailySnapshots($projectId: ID!, $first: Int!) {
  project(id: $projectId) {
    snapshots(first: $first) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id status scheduledTime finishTime expiration mongoDBVersion sizeBytes
        storageLocation { id name } cluster { name }
      }
    }
  }
}
"""

STORAGE_LOCATIONS = "query StorageLocations { storageLocations { id name countries isDefault } }"


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    query: str
    variables: dict[str, Any]
    baseline_path: str
    rest_path: str | None = None  # the same rows from the Atlas REST API, where it has them

    def graphql_body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables}


def scenarios(project_id: str, cluster_name: str, page: int = 100) -> list[Scenario]:
    return [
        Scenario(
            "backup_tab", "(a) Backup tab: cluster + policy + 8 snapshots", BACKUP_TAB,
            {"projectId": project_id, "name": cluster_name, "first": 8},
            f"/backup-tab?projectId={project_id}&name={cluster_name}&first=8",
            f"/api/atlas/v2/groups/{project_id}/flexClusters/{cluster_name}/backup/snapshots",
        ),
        Scenario(
            "daily", f"(b) All Daily Snapshots, page of {page}", DAILY_SNAPSHOTS,
            {"projectId": project_id, "first": page},
            f"/daily-snapshots?projectId={project_id}&first={page}",
        ),
        Scenario(
            "locations", "(c) storageLocations", STORAGE_LOCATIONS, {}, "/storage-locations",
        ),
    ]  # fmt: skip
