"""The GraphQL schema: one folder per domain area, each with its types,
queries and dataloaders side by side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql.error import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from graphql_api.schema.accounts.mutations import AccountsMutation
from graphql_api.schema.accounts.queries import AccountsQuery
from graphql_api.schema.backups.mutations import BackupsMutation
from graphql_api.schema.backups.queries import BackupsQuery, BackupsSubscription
from graphql_api.schema.clusters.mutations import ClustersMutation
from graphql_api.schema.clusters.queries import ClustersQuery
from graphql_api.schema.documents import PreparedDocuments
from graphql_api.schema.errors import (
    MaskUnexpectedErrors,
    TagUnexpectedErrors,
    is_client_error,
    with_request_codes,
)
from graphql_api.schema.execution import FastLeafExecutionContext
from graphql_api.schema.locations.queries import LocationsQuery
from graphql_api.schema.projects.queries import ProjectsQuery
from graphql_api.schema.scalars import schema_config
from graphql_api.schema.snapshots.queries import SnapshotsQuery
from graphql_api.settings import Settings

Query = merge_types(
    "Query",
    (AccountsQuery, ProjectsQuery, ClustersQuery, SnapshotsQuery, LocationsQuery, BackupsQuery),
)
Mutation = merge_types("Mutation", (BackupsMutation, AccountsMutation, ClustersMutation))
Subscription = merge_types("Subscription", (BackupsSubscription,))


class Schema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Plain execution never runs a subscription (they stream over WebSocket):
        a subscription sent as a POST is refused as a bad request, not half-run.
        Errors raised before execution (parse, validation, variables) get their
        codes here: strawberry reports some of them outside its extensions."""
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed - {OperationType.SUBSCRIPTION},
            operation_extensions,
        )
        if result.errors:
            result.errors = with_request_codes(result.errors)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs only: a client's mistake is answered, not logged as an error."""
        unexpected = [e for e in errors if not is_client_error(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with this deployment's limits; the SDL is the same for all."""
    settings = settings or Settings()
    # The limiters' rule classes are made once: a new class per request (what
    # the limiter factories would do) is a new key for the validation cache, so
    # every request was validated again.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Any] = [
        lambda: PreparedDocuments(max_tokens=settings.max_query_tokens, rules=rules),
    ]
    if settings.environment == "production":
        extensions.insert(0, MaskUnexpectedErrors)
    else:
        extensions.insert(0, TagUnexpectedErrors)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=schema_config(),
        extensions=extensions,
        execution_context_class=FastLeafExecutionContext,
    )


schema = build_schema()
