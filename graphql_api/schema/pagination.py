"""Relay-style connections over service pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from strawberry.dataloader import DataLoader

from graphql_api.schema.dataloader import SharedDataLoader
from graphql_api.services.errors import ServiceError
from graphql_api.services.paging import Key, Listing, Page, PageRequest, count_rows, read_pages

if TYPE_CHECKING:
    from graphql_api.schema.context import Info

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
    def total_count(self) -> int:
        # Known when the page was read from the start (read along with it):
        # then no await. Otherwise an awaitable, which graphql-core awaits.
        total = self._page.total
        return self._page.count() if total is None else total  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class PageKey:
    listing: Listing[Any]
    parent: Key
    request: PageRequest
    with_total: bool = True  # the field asks for totalCount: read it with the page
    related: tuple[str, ...] = ()  # foreign keys whose rows come with the page


@dataclass(frozen=True, slots=True)
class CountKey:
    listing: Listing[Any]
    parent: Key


def count_loader() -> DataLoader[CountKey, int]:
    """``totalCount`` of each parent's list: one statement per kind of list."""

    async def load(keys: list[CountKey]) -> list[int]:
        by_listing: dict[Listing[Any], list[Key]] = defaultdict(list)
        for key in keys:
            by_listing[key.listing].append(key.parent)
        counts = {
            listing: await count_rows(listing, parents) for listing, parents in by_listing.items()
        }
        return [counts[key.listing][key.parent] for key in keys]

    return SharedDataLoader(load)


_Group = tuple[Listing[Any], PageRequest, bool, tuple[str, ...]]  # pages read together


def page_loader(counts: DataLoader[CountKey, int]) -> DataLoader[PageKey, Page[Any]]:
    """The page of one parent's list. Every parent of the request asking for the
    same list and page shares one read (see ``read_pages``); each page's
    ``totalCount`` goes through ``counts``, batched too, read only when asked."""

    async def load(keys: list[PageKey]) -> list[Page[Any] | BaseException]:
        groups: dict[_Group, list[Key]] = defaultdict(list)
        for key in keys:
            groups[(key.listing, key.request, key.with_total, key.related)].append(key.parent)
        found: dict[_Group, dict[Key, Page[Any]] | ServiceError] = {}
        for group, parents in groups.items():
            listing, request, with_total, related = group
            try:
                found[group] = await read_pages(
                    listing, parents, request, with_total=with_total, related=related
                )
            except ServiceError as error:  # a bad cursor fails its own fields only
                found[group] = error
        answers: list[Page[Any] | BaseException] = []
        for key in keys:
            pages = found[(key.listing, key.request, key.with_total, key.related)]
            if isinstance(pages, ServiceError):
                answers.append(pages)
                continue
            page = pages[key.parent]
            if page.total is None:  # read after a cursor: count through the batched loader
                page = replace(page, count=_counter(counts, key))
            answers.append(page)
        return answers

    return SharedDataLoader(load)


def _counter(counts: DataLoader[CountKey, int], key: PageKey) -> Callable[[], Awaitable[int]]:
    return lambda: counts.load(CountKey(key.listing, key.parent))


async def load_page(
    info: Info,
    listing: Listing[Any],
    parent: Key,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    related: tuple[str, ...] = (),
) -> Page[Any]:
    """The page a connection field asks for, within this deployment's page
    sizes; ``related`` foreign keys' rows come along (see ``read_pages``)."""
    settings = info.context.settings
    request = PageRequest(
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
    )
    request.validated()  # a bad first/last fails this field alone, not the whole batch
    with_total = _selects(info, "totalCount")
    page: Page[Any] = await info.context.loaders.pages.load(
        PageKey(listing, parent, request, with_total, related)
    )
    info.context.loaders.prime(page.items)
    info.context.loaders.prime(page.related)
    return page


def to_connection(page: Page[Any], convert: Callable[[Any], NodeT]) -> Connection[NodeT]:
    nodes = [convert(item) for item in page.items]
    cursors = page.cursors
    return Connection(
        edges=_Edges(lambda: [Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)]),
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _page=page,
    )


class _Edges(list[Any]):
    """A connection's edges, made when first read: most screens ask for
    ``nodes`` only, and each edge's cursor costs an encode."""

    def __init__(self, make: Callable[[], list[Any]]) -> None:
        super().__init__()
        self._make: Callable[[], list[Any]] | None = make

    def _fill(self) -> None:
        if self._make is not None:
            make, self._make = self._make, None
            super().extend(make())

    def __iter__(self) -> Iterator[Any]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return super().__getitem__(index)

    def __eq__(self, other: object) -> bool:
        self._fill()
        return super().__eq__(other)

    __hash__ = None

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()


def _fields(info: Info, parents: Iterable[FieldNode]) -> list[FieldNode]:
    """The fields selected under ``parents``, fragments flattened. Read off
    the document itself: ``info.selected_fields`` converts the whole
    selection below (a page's every field) on each call."""
    fragments = info._raw_info.fragments
    found: list[FieldNode] = []
    sets = [p.selection_set for p in parents]
    while sets:
        selection_set = sets.pop(0)
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                sets.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    sets.append(fragment.selection_set)
    return found


def _selects(info: Info, name: str) -> bool:
    """Whether a connection field's selection asks for ``name`` on the connection."""
    return any(f.name.value == name for f in _fields(info, info._raw_info.field_nodes))


def selects_node_field(info: Info, name: str) -> bool:
    """Whether a connection field's selection (``info`` of the connection's
    resolver) asks for ``name`` on its nodes, through ``nodes`` or
    ``edges { node }``."""
    for part in _fields(info, info._raw_info.field_nodes):
        if part.name.value == "nodes":
            nodes = [part]
        elif part.name.value == "edges":
            nodes = [f for f in _fields(info, [part]) if f.name.value == "node"]
        else:
            continue
        if any(f.name.value == name for f in _fields(info, nodes)):
            return True
    return False
