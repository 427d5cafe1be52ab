"""Requests Flex clusters cannot have: on-demand snapshots and custom policies.

They are answered, not hidden: a Project Owner who asks gets the reason and the
way out (an M10+ tier), and the request is in the audit trail like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.policy import (
    PolicyRefusal,
    custom_policy_refusal,
    on_demand_snapshot_refusal,
)
from graphql_api.domain.refusals import Refusal
from graphql_api.domain.roles import Action
from graphql_api.models import Cluster
from graphql_api.services.authentication import Principal
from graphql_api.services.authorization import Scope, authorize
from graphql_api.services.clusters import get_cluster
from graphql_api.services.projects import get_project


async def request_on_demand_snapshot(
    principal: Principal, project_id: str, cluster_name: str, now: datetime
) -> tuple[Cluster, Refusal]:
    return await _refuse(
        principal, Action.TAKE_ON_DEMAND_SNAPSHOT, project_id, cluster_name, now,
        PolicyRefusal.ON_DEMAND_SNAPSHOT_NOT_SUPPORTED, on_demand_snapshot_refusal,
    )  # fmt: skip


async def request_policy_change(
    principal: Principal, project_id: str, cluster_name: str, now: datetime
) -> tuple[Cluster, Refusal]:
    return await _refuse(
        principal, Action.CHANGE_BACKUP_POLICY, project_id, cluster_name, now,
        PolicyRefusal.CUSTOM_POLICY_NOT_SUPPORTED, custom_policy_refusal,
    )  # fmt: skip


async def _refuse(
    principal: Principal,
    action: Action,
    project_id: str,
    cluster_name: str,
    now: datetime,
    code: PolicyRefusal,
    reason: Callable[[str, ClusterTier], str],
) -> tuple[Cluster, Refusal]:
    project = await get_project(principal, project_id)
    cluster = None if project is None else await get_cluster(project, cluster_name)
    scope = Scope(
        project if cluster is not None else None,
        f"No cluster {cluster_name!r} in project {project_id}.",
    )
    async with authorize(principal, action, scope, subject=cluster_name, now=now) as audit:
        assert cluster is not None
        refusal = Refusal(code, reason(cluster.name, cluster.tier), "clusterName")
        audit.refused(code.value, refusal.message)
    return cluster, refusal
