"""Nodes of real replica sets: role, health and lag from ``hello`` and ``replSetGetStatus``.

Clusters are asked concurrently (a bounded number at once), each within a time limit; one
that cannot be asked is reported as unreachable with a sentence, and never fails the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ReadPreference

from graphql_api.domain.clusters import ClusterNodes, NodeHealth, NodeRole
from graphql_api.fleet.base import ClusterAddress, FleetError
from graphql_api.fleet.mongodb_connect import (
    MongoOptions,
    fleet_error,
    replica_set_client,
)

PRIMARY, SECONDARY, ARBITER = 1, 2, 7  # replSetGetStatus member states


def nodes_from_status(
    status: Mapping[str, Any], hello: Mapping[str, Any]
) -> tuple[NodeHealth, ...]:
    """Members as NodeHealth, by hostname. Lag is the primary's optime date minus the
    member's (with no primary, the freshest member's stands in). Arbiters hold no data and
    are left out; a member neither PRIMARY nor SECONDARY (RECOVERING, STARTUP2, DOWN...) is an
    unhealthy secondary: never a snapshot source."""
    if not hello.get("setName"):
        raise FleetError("The cluster is not a replica set (its nodes report no set name).")
    members = [m for m in status.get("members") or () if isinstance(m, Mapping)]
    if not members:
        raise FleetError("The cluster did not report its replica set members.")
    optimes = {str(m.get("name")): m.get("optimeDate") for m in members}
    dated = [d for d in optimes.values() if isinstance(d, datetime)]
    primary = next((m for m in members if m.get("state") == PRIMARY), None)
    reference = primary.get("optimeDate") if primary is not None else None
    if not isinstance(reference, datetime):
        reference = max(dated, default=None)
    nodes = []
    for m in members:
        state = m.get("state")
        if state == ARBITER:
            continue
        optime = m.get("optimeDate")
        lag = (
            max(0, int((reference - optime).total_seconds() * 1000))
            if isinstance(optime, datetime) and reference is not None
            else 0
        )
        healthy = m.get("health") == 1 and state in (PRIMARY, SECONDARY) and optime is not None
        nodes.append(
            NodeHealth(
                hostname=str(m.get("name")),
                role=NodeRole.PRIMARY if state == PRIMARY else NodeRole.SECONDARY,
                healthy=healthy,
                replication_lag_ms=lag,
            )
        )
    return tuple(sorted(nodes, key=lambda n: n.hostname))


async def cluster_nodes(cluster: ClusterAddress, options: MongoOptions) -> ClusterNodes:
    """One cluster's nodes, or why they could not be had, within ``status_timeout``."""
    try:
        client = replica_set_client(
            cluster, options, read_preference=ReadPreference.PRIMARY_PREFERRED
        )
    except Exception as exc:  # invalid seed list: reported, like any other failure
        return ClusterNodes(unreachable=str(fleet_error(exc, cluster, "reading its status")))
    try:
        async with asyncio.timeout(options.status_timeout):
            hello = await client.admin.command("hello")
            status = await client.admin.command("replSetGetStatus")
        return ClusterNodes(nodes_from_status(status, hello))
    except Exception as exc:
        return ClusterNodes(unreachable=str(fleet_error(exc, cluster, "reading its status")))
    finally:
        await client.close()


async def all_cluster_nodes(
    clusters: Sequence[ClusterAddress], options: MongoOptions
) -> dict[str, ClusterNodes]:
    """Every cluster's nodes, ``status_concurrency`` clusters at a time."""
    gate = asyncio.Semaphore(options.status_concurrency)

    async def one(cluster: ClusterAddress) -> ClusterNodes:
        async with gate:
            return await cluster_nodes(cluster, options)

    found = await asyncio.gather(*(one(c) for c in clusters))
    return {c.id: nodes for c, nodes in zip(clusters, found, strict=True)}
