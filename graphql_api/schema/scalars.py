"""Custom scalars, mapped onto plain Python types for the type checker."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        serialize=int,
        parse_value=int,
        description="A whole number beyond GraphQL Int's 32 bits (byte sizes); a JSON number.",
    )
}


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(scalar_map=SCALAR_MAP)
