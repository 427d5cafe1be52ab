"""Atlas's numbered pages: itemsPerPage, pageNum, includeCount; results,
totalCount and links (self, next, previous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.datastructures import URL
from starlette.requests import Request
from tortoise.models import Model

from graphql_api.rest.params import flag, integer
from graphql_api.services.paging import Key, Listing, read_slice

DEFAULT_ITEMS = 100
MAX_ITEMS = 500
MAX_PAGE = 10**9  # far past any list; keeps offsets within a database integer

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class PageAsked:
    items_per_page: int = DEFAULT_ITEMS
    page_num: int = 1
    include_count: bool = True

    @property
    def offset(self) -> int:
        return (self.page_num - 1) * self.items_per_page


def page_asked(request: Request) -> PageAsked:
    """The page a list request asks for; 400 VALIDATION_ERROR when out of range."""
    return PageAsked(
        items_per_page=integer(request, "itemsPerPage", DEFAULT_ITEMS, 1, MAX_ITEMS),
        page_num=integer(request, "pageNum", 1, 1, MAX_PAGE),
        include_count=flag(request, "includeCount", True),
    )


@dataclass(frozen=True, slots=True)
class NumberedPage:
    rows: list[Any]
    total: int


async def read_numbered(listing: Listing[M], key: Key, asked: PageAsked) -> NumberedPage:
    rows, total = await read_slice(listing, key, asked.offset, asked.items_per_page)
    return NumberedPage(rows, total)


def page_body(
    request_url: str, results: list[dict[str, Any]], page: NumberedPage, asked: PageAsked
) -> dict[str, Any]:
    """``results``, ``totalCount`` (unless includeCount=false) and links to
    this page and its neighbours where they exist."""
    links = [{"href": _with_page(request_url, asked.page_num), "rel": "self"}]
    if asked.offset + len(page.rows) < page.total:
        links.append({"href": _with_page(request_url, asked.page_num + 1), "rel": "next"})
    if asked.page_num > 1:
        previous = min(asked.page_num - 1, max(1, -(-page.total // asked.items_per_page)))
        links.append({"href": _with_page(request_url, previous), "rel": "previous"})
    body: dict[str, Any] = {"links": links, "results": results}
    if asked.include_count:
        body["totalCount"] = page.total
    return body


def _with_page(url: str, page_num: int) -> str:
    return str(URL(url).include_query_params(pageNum=page_num))
