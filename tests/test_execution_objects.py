"""The fast path for plain objects and lists (a page's nodes, their nested
objects) answers exactly as graphql-core would, errors included."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graphql_api.schema import execution
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


def test_plans_made_for_one_request_serve_the_next_with_its_own_context() -> None:
    """The document of a repeated query is one object (ParserCache), and the
    plans made for it are kept: each request still reads with its own context."""
    CALLS.clear()
    plain, fast = _schemas_with_parser_cache()
    query = "{ page { nodes { id owner { name } } } }"
    plans_kept = []
    for ready in (True, False, True):
        answers = [
            schema.execute_sync(query, context_value={"ready": ready}).data
            for schema in (plain, fast)
        ]
        assert answers[0] == answers[1]
        plans_kept.append(len(execution._OBJECT_PLANS))
    assert plans_kept[0] == plans_kept[1] == plans_kept[2]  # made once, then reused
    # The fast schema called the resolver only in the request where nothing was ready.
    assert CALLS == ["i0", "i1"] * 3 + ["i0", "i1"]


def _schemas_with_parser_cache() -> list[strawberry.Schema]:
    from strawberry.extensions import ParserCache

    query_type = _schemas()[0].query
    return [
        strawberry.Schema(query_type, extensions=[lambda: ParserCache(maxsize=8)]),
        strawberry.Schema(
            query_type,
            extensions=[lambda: ParserCache(maxsize=8)],
            execution_context_class=FastLeafExecutionContext,
        ),
    ]


@strawberry.type
class Computed:
    """Fields worked out by a resolver of the object alone (no info, no arguments)."""

    number: strawberry.Private[int]

    @strawberry.field
    def double(self) -> int:
        return self.number * 2

    @strawberry.field
    def label(self) -> str:
        if self.number == 3:
            raise ValueError("three has no label")
        return f"n{self.number}"

    @strawberry.field
    def inner(self) -> Place:
        return Place(id=f"c{self.number}", name=None)

    @strawberry.field
    async def later(self) -> str:
        return "later"


def _computed(numbers: list[int]) -> list[strawberry.Schema]:
    @strawberry.type
    class Query:
        @strawberry.field
        def computed(self) -> list[Computed]:
            return [Computed(number=n) for n in numbers]

    return [
        strawberry.Schema(Query),
        strawberry.Schema(Query, execution_context_class=FastLeafExecutionContext),
    ]


def _answers(schemas: list[strawberry.Schema], query: str) -> list[dict[str, Any]]:
    answers = []
    for schema in schemas:
        result = schema.execute_sync(query)
        errors = [{"message": e.message, "path": e.path} for e in result.errors or []]
        answers.append({"data": result.data, "errors": errors})
    return answers


def test_resolvers_of_the_object_alone_answer_the_same() -> None:
    plain, fast = _answers(_computed([1, 2]), "{ computed { double label inner { id name } } }")
    assert fast == plain
    assert fast["data"]["computed"][1] == {
        "double": 4,
        "label": "n2",
        "inner": {"id": "c2", "name": None},
    }


def test_an_error_in_such_a_resolver_is_reported_as_graphql_core_would() -> None:
    plain, fast = _answers(_computed([1, 3]), "{ computed { double label } }")
    assert fast == plain
    assert fast["errors"] == [{"message": "three has no label", "path": ["computed", 1, "label"]}]
    assert fast["data"] is None


def test_async_resolvers_are_awaited_as_always() -> None:
    import asyncio

    answers = []
    for schema in _computed([1]):
        result = asyncio.run(schema.execute("{ computed { double later } }"))
        answers.append((result.data, result.errors))
    assert answers[0] == answers[1] == ({"computed": [{"double": 2, "later": "later"}]}, None)


def test_plans_are_kept_for_a_bounded_number_of_operations() -> None:
    """Many distinct documents (a client may send any) do not pile up plans:
    they are kept per operation, the oldest dropped first."""
    _, fast = _schemas_with_parser_cache()
    for i in range(execution._OPERATIONS_KEPT + 40):
        query = f"query Q{i} {{ page {{ nodes {{ id place {{ id }} }} }} }}"
        assert fast.execute_sync(query, context_value={"ready": True}).errors is None
    assert len(execution._OBJECT_PLANS) <= execution._OPERATIONS_KEPT
