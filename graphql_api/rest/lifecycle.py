"""Flex cluster writes (create, update, delete, tenantUpgrade): each reads its
body, calls the use case GraphQL and the CLI call (services/cluster_lifecycle.py,
which authorizes, holds every rule and audits, refusals included), and shapes
the answer. A refusal keeps the service's sentence; only its code and status
are Atlas's."""

from __future__ import annotations

from typing import Any

from graphql_api.domain.clusters import ClusterTier, ResourceTag
from graphql_api.domain.regions import CloudProvider
from graphql_api.rest import schemas, serializers
from graphql_api.rest.bodies import Body
from graphql_api.rest.errors import ApiError, from_service_error
from graphql_api.rest.handlers import Call
from graphql_api.services import cluster_lifecycle, projects
from graphql_api.services.errors import NotFoundError, ServiceError


async def _refusal(call: Call, error: ServiceError, name: str) -> ApiError:
    """The service's refusal as an ApiError. Not found is Atlas's
    GROUP_NOT_FOUND or CLUSTER_NOT_FOUND: which one is read only now, on the
    refusal's path (a project the caller cannot read is not found either)."""
    if not isinstance(error, NotFoundError):
        return from_service_error(error)
    if await projects.get_project(call.principal, call.group_id) is None:
        return ApiError(404, "GROUP_NOT_FOUND", error.message, parameters=[call.group_id])
    return ApiError(404, "CLUSTER_NOT_FOUND", error.message, parameters=[name, call.group_id])


def _tags(body: Body) -> list[ResourceTag] | None:
    tags = body.objects("tags")
    if tags is None:
        return None
    return [ResourceTag(t.required_string("key"), t.required_string("value")) for t in tags]


async def create_flex_cluster(call: Call) -> dict[str, Any]:
    body = Body(call.body, schemas.FLEX_CLUSTER_CREATE)
    name = body.required_string("name")
    provider_settings = body.required_object("providerSettings")
    provider = provider_settings.required_string("backingProviderName")
    region = provider_settings.required_string("regionName")
    protection = body.boolean("terminationProtectionEnabled")
    tags = _tags(body)
    try:
        cluster = await cluster_lifecycle.create_flex_cluster(
            call.principal, call.group_id, name, provider=CloudProvider(provider), region=region,
            tags=tags or (), termination_protection=bool(protection), now=call.now,
        )  # fmt: skip
    except ServiceError as error:
        raise await _refusal(call, error, name) from None
    return serializers.flex_cluster(cluster, call.urls)


async def update_flex_cluster(call: Call) -> dict[str, Any]:
    body = Body(call.body, schemas.FLEX_CLUSTER_UPDATE)
    protection = body.boolean("terminationProtectionEnabled")
    tags = _tags(body)
    try:
        cluster = await cluster_lifecycle.update_flex_cluster(
            call.principal, call.group_id, call.name, termination_protection=protection,
            tags=tags, now=call.now,
        )  # fmt: skip
    except ServiceError as error:
        raise await _refusal(call, error, call.name) from None
    return serializers.flex_cluster(cluster, call.urls)


async def delete_flex_cluster(call: Call) -> None:
    try:
        await cluster_lifecycle.delete_flex_cluster(
            call.principal, call.group_id, call.name, now=call.now
        )
    except ServiceError as error:
        raise await _refusal(call, error, call.name) from None


async def tenant_upgrade(call: Call) -> dict[str, Any]:
    body = Body(call.body, schemas.TENANT_UPGRADE)
    name = body.required_string("name")
    provider_settings = body.object("providerSettings")
    size = None if provider_settings is None else provider_settings.string("instanceSizeName")
    try:
        cluster = await cluster_lifecycle.upgrade_flex_cluster(
            call.principal, call.group_id, name, tier=ClusterTier(size or "M10"), now=call.now
        )
    except ServiceError as error:
        raise await _refusal(call, error, name) from None
    return serializers.flex_cluster(cluster, call.urls)
