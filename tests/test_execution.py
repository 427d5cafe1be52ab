"""The fast path for plain leaf fields answers exactly as graphql-core would."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.permission import BasePermission

from graphql_api.schema.execution import FastLeafExecutionContext


class Nobody(BasePermission):
    message = "nobody may read this"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Row:
    name: str
    colour: Colour
    note: str | None
    secret: str = strawberry.field(permission_classes=[Nobody])
    broken: str  # a None here breaks the non-null promise


def _schemas() -> list[strawberry.Schema]:
    @strawberry.type
    class Query:
        @strawberry.field
        def rows(self) -> list[Row]:
            return [
                Row(name="a", colour=Colour.RED, note=None, secret="s", broken="ok"),
                Row(name="b", colour=Colour.RED, note="n", secret="s", broken=None),  # type: ignore[arg-type]
            ]

    return [
        strawberry.Schema(Query),
        strawberry.Schema(Query, execution_context_class=FastLeafExecutionContext),
    ]


def _run(query: str) -> list[dict[str, Any]]:
    answers = []
    for schema in _schemas():
        result = schema.execute_sync(query)
        errors = [{"message": e.message, "path": e.path} for e in result.errors or []]
        answers.append({"data": result.data, "errors": errors})
    return answers


def test_leaves_read_and_serialise_the_same() -> None:
    plain, fast = _run("{ rows { name colour note } }")
    assert fast == plain
    assert fast["data"] == {
        "rows": [
            {"name": "a", "colour": "RED", "note": None},
            {"name": "b", "colour": "RED", "note": "n"},
        ]
    }


def test_permission_classes_still_guard_leaf_fields() -> None:
    plain, fast = _run("{ rows { secret } }")
    assert fast == plain
    assert fast["data"] is None
    assert fast["errors"][0]["message"] == "nobody may read this"


def test_null_in_a_non_null_leaf_is_the_same_error_at_the_same_path() -> None:
    plain, fast = _run("{ rows { name broken } }")
    assert fast == plain
    assert fast["errors"][0]["path"] == ["rows", 1, "broken"]
