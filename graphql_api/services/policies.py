"""Requests Flex clusters cannot have: on-demand snapshots and custom policies.

They are answered, not hidden: a Project Owner who asks gets the reason and the
way out (an M10+ tier), and the request is in the audit trail like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.policy import (
    PolicyRefusal,
    custom_policy_refusal,
    on_demand_snapshot_refusal,
)
from graphql_api.domain.refusals import Refusal
from graphql_api.models import AuditOutcome, Cluster
from graphql_api.services import audit
from graphql_api.services.access import Principal
from graphql_api.services.backup_access import authorize_cluster_backups


async def request_on_demand_snapshot(
    principal: Principal, project_id: str, cluster_name: str
) -> tuple[Cluster, Refusal]:
    return await _refuse(
        principal, "ON_DEMAND_SNAPSHOT_REQUESTED", project_id, cluster_name,
        PolicyRefusal.ON_DEMAND_SNAPSHOT_NOT_SUPPORTED, on_demand_snapshot_refusal,
    )  # fmt: skip


async def request_policy_change(
    principal: Principal, project_id: str, cluster_name: str
) -> tuple[Cluster, Refusal]:
    return await _refuse(
        principal, "BACKUP_POLICY_CHANGE_REQUESTED", project_id, cluster_name,
        PolicyRefusal.CUSTOM_POLICY_NOT_SUPPORTED, custom_policy_refusal,
    )  # fmt: skip


async def _refuse(
    principal: Principal,
    action: str,
    project_id: str,
    cluster_name: str,
    code: PolicyRefusal,
    reason: Callable[[str, ClusterTier], str],
) -> tuple[Cluster, Refusal]:
    project, cluster = await authorize_cluster_backups(principal, action, project_id, cluster_name)
    refusal = Refusal(code, reason(cluster.name, cluster.tier), "clusterName")
    await audit.record(
        principal.user, action, project_id=project.id, target=cluster.id,
        outcome=AuditOutcome.REFUSED, code=code.value, detail=refusal.message,
    )  # fmt: skip
    return cluster, refusal
