"""The fast path for plain objects and lists (a page's nodes, their nested
objects) answers exactly as graphql-core would, errors included."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graphql_api.schema.execution import FAST_READ, NOT_READY, FastLeafExecutionContext

CALLS: list[str] = []


@strawberry.type
class Place:
    id: str
    name: str | None


@strawberry.type
class Owner:
    name: str


def _ready_owner(item: Item, context: Any) -> Owner | object:
    return Owner(name=item.owner_name) if context["ready"] else NOT_READY


@strawberry.type
class Item:
    id: str
    place: Place
    places: list[Place]
    maybe: Place | None
    owner_name: strawberry.Private[str]

    @strawberry.field(metadata={FAST_READ: _ready_owner})
    def owner(self, info: Info) -> Owner:
        CALLS.append(self.id)
        return Owner(name=self.owner_name)


@strawberry.type
class Page:
    nodes: list[Item]


def _item(i: int, place_name: str | None = "p") -> Item:
    place = Place(id=f"p{i}", name=place_name)
    return Item(id=f"i{i}", place=place, places=[place, place], maybe=None, owner_name=f"o{i}")


def _schemas(broken: bool = False) -> list[strawberry.Schema]:
    @strawberry.type
    class Query:
        @strawberry.field
        def page(self) -> Page:
            items = [_item(0), _item(1)]
            if broken:  # a null where Item.place promises an object
                items[1].place = None  # type: ignore[assignment]
            return Page(nodes=items)

    return [
        strawberry.Schema(Query),
        strawberry.Schema(Query, execution_context_class=FastLeafExecutionContext),
    ]


def _run(query: str, ready: bool = True, broken: bool = False) -> list[dict[str, Any]]:
    answers = []
    for schema in _schemas(broken):
        result = schema.execute_sync(query, context_value={"ready": ready})
        errors = [{"message": e.message, "path": e.path} for e in result.errors or []]
        answers.append({"data": result.data, "errors": errors})
    return answers


QUERY = """{ page { nodes {
  __typename id place { id name } other: place { name }
  places { id } maybe { id } owner { name }
} } }"""


def test_nested_objects_lists_aliases_and_typename_answer_the_same() -> None:
    plain, fast = _run(QUERY)
    assert fast == plain
    assert fast["data"]["page"]["nodes"][1] == {
        "__typename": "Item",
        "id": "i1",
        "place": {"id": "p1", "name": "p"},
        "other": {"name": "p"},
        "places": [{"id": "p1"}, {"id": "p1"}],
        "maybe": None,
        "owner": {"name": "o1"},
    }


def test_a_ready_value_skips_the_resolver_and_a_missing_one_calls_it() -> None:
    CALLS.clear()
    plain, fast = _run("{ page { nodes { owner { name } } } }", ready=True)
    assert fast == plain
    assert CALLS == ["i0", "i1"]  # the plain schema only
    CALLS.clear()
    plain, fast = _run("{ page { nodes { owner { name } } } }", ready=False)
    assert fast == plain
    assert CALLS == ["i0", "i1", "i0", "i1"]


def test_null_in_a_non_null_object_is_the_same_error_at_the_same_path() -> None:
    plain, fast = _run("{ page { nodes { id place { id } } } }", broken=True)
    assert fast == plain
    assert fast["errors"][0]["path"] == ["page", "nodes", 1, "place"]
    assert fast["data"] is None


def test_fragments_and_directives_take_graphql_cores_path_alike() -> None:
    query = """{ page { nodes { ... on Item { id } place @include(if: false) { id }
      places { ...P } } } } fragment P on Place { name }"""
    plain, fast = _run(query)
    assert fast == plain
    assert fast["data"]["page"]["nodes"][0] == {"id": "i0", "places": [{"name": "p"}] * 2}
