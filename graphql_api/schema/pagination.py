"""Relay-style connections over service pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graphql_api.services.pagination import Page, PageRequest

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of a list; pass `endCursor` as `after` for the next one.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    nodes: list[NodeT]
    page_info: PageInfo
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="How many items the whole list has (one extra query).")
    async def total_count(self) -> int:
        return await self._page.count()


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before)


def to_connection(page: Page[Any], convert: Callable[[Any], NodeT]) -> Connection[NodeT]:
    nodes = [convert(item) for item in page.items]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _page=page,
    )


def _fields(selections: list[Selection]) -> list[SelectedField]:
    """The fields of a selection set, fragments flattened."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        elif isinstance(selection, InlineFragment | FragmentSpread):
            found += _fields(selection.selections)
    return found


def selects_node_field(selected: list[Selection], name: str) -> bool:
    """Whether a connection field's selection asks for ``name`` on its nodes
    (through ``nodes`` or ``edges { node }``); ``selected`` is
    ``info.selected_fields`` of the connection's resolver."""
    for connection in _fields(selected):
        for part in _fields(connection.selections):
            if part.name == "nodes":
                nodes = [part]
            elif part.name == "edges":
                nodes = [f for f in _fields(part.selections) if f.name == "node"]
            else:
                continue
            if any(f.name == name for node in nodes for f in _fields(node.selections)):
                return True
    return False
