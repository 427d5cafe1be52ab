"""The GraphQL schema: one folder per domain area, each with its types,
queries and dataloaders side by side."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from graphql_api.schema.accounts.queries import AccountsQuery
from graphql_api.schema.errors import MaskUnexpectedErrors
from graphql_api.schema.locations.queries import LocationsQuery
from graphql_api.schema.projects.queries import ProjectsQuery
from graphql_api.schema.scalars import schema_config

Query = merge_types("Query", (AccountsQuery, ProjectsQuery, LocationsQuery))


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=schema_config(),
        extensions=[
            MaskUnexpectedErrors,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )


schema = build_schema()
