"""Keyset (cursor) pagination, shared by every list the API returns.

A cursor is the opaque, URL-safe encoding of the row's sort key, so a page
is one indexed range query whatever its depth, and rows inserted meanwhile
never shift a client's place. Lists already in memory (rows a DataLoader
batched) page by the same cursors.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.fields import DatetimeField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from graphql_api.services.errors import InvalidInputError
from graphql_api.settings import get_settings

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def validated(self) -> tuple[int, str | None, bool]:
        """(size, cursor, backwards); raises InvalidInputError for a bad request."""
        settings = get_settings()
        default_size, max_size = settings.default_page_size, settings.max_page_size
        if self.first is not None and self.last is not None:
            raise InvalidInputError("Pass either first or last, not both.")
        if self.after is not None and self.before is not None:
            raise InvalidInputError("Pass either after or before, not both.")
        backwards = self.last is not None or (self.before is not None and self.first is None)
        size = self.last if backwards else self.first
        if size is None:
            size = default_size
        if not 0 <= size <= max_size:
            name = "last" if backwards else "first"
            raise InvalidInputError(f"{name} must be between 0 and {max_size}, got {size}.")
        return size, (self.before if backwards else self.after), backwards


@dataclass(frozen=True, slots=True)
class Order:
    """Sort fields, each ``name`` or ``-name`` (descending); the last must be unique."""

    fields: tuple[str, ...]

    def reversed(self) -> Order:
        return Order(tuple(f[1:] if f.startswith("-") else f"-{f}" for f in self.fields))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.lstrip("-") for f in self.fields)

    def key(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self.names)


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Awaitable[int]] = field(repr=False)


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order, model: type[Model]) -> tuple[Any, ...]:
    """The sort key a cursor names, each value checked against its column, so
    no hand-made cursor reaches the database as anything but a valid value."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: "[[[[..."
        values = None
    if not isinstance(values, list) or len(values) != len(order.fields) or not cursor:
        raise InvalidInputError(f"Cursor {cursor[:64]!r} is not valid for this list.")
    return tuple(
        _from_json(model, name, value) for name, value in zip(order.names, values, strict=True)
    )


def _from_json(model: type[Model], name: str, value: Any) -> Any:
    field = model._meta.fields_map[name]
    invalid = InvalidInputError("Cursor is not valid for this list.")
    if not isinstance(value, str) or "\x00" in value:
        raise invalid
    if isinstance(field, DatetimeField):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise invalid from None
        if parsed.tzinfo is None:
            raise invalid
        return parsed
    if len(value) > (getattr(field, "max_length", None) or len(value)):
        raise invalid
    return value


def _after_q(order: Order, values: tuple[Any, ...]) -> Q:
    """Rows strictly after ``values`` in ``order``: (a>x) or (a=x and b>y) ..."""
    clauses = []
    for i, spec in enumerate(order.fields):
        name = spec.lstrip("-")
        strict = {f"{name}__lt" if spec.startswith("-") else f"{name}__gt": values[i]}
        equal = {n: v for n, v in zip(order.names[:i], values[:i], strict=True)}
        clauses.append(Q(**equal, **strict))
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


async def paginate_query(
    query: QuerySet[M],
    order: Order,
    request: PageRequest,
) -> Page[M]:
    size, cursor, backwards = request.validated()
    walk = order.reversed() if backwards else order
    page_query = query.order_by(*walk.fields)
    if cursor is not None:
        page_query = page_query.filter(_after_q(walk, decode_cursor(cursor, order, query.model)))
    rows = list(await page_query.limit(size + 1)) if size else []
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    async def count() -> int:
        return await query.count()

    return Page(
        items=rows,
        cursors=[encode_cursor(order.key(r)) for r in rows],
        has_next_page=more if not backwards else cursor is not None,
        has_previous_page=more if backwards else cursor is not None,
        count=count,
    )


def paginate_list(
    rows: Sequence[T],
    order: Order,
    request: PageRequest,
    model: type[Model],
) -> Page[T]:
    """The same paging over rows already loaded (and already sorted by ``order``)."""
    size, cursor, backwards = request.validated()
    ordered = list(reversed(rows)) if backwards else list(rows)
    walk = order.reversed() if backwards else order
    if cursor is not None:
        position = decode_cursor(cursor, order, model)
        ordered = [r for r in ordered if _is_after(walk, order.key(r), position)]
    page = ordered[:size]
    more = len(ordered) > size
    if backwards:
        page.reverse()
    total = len(rows)

    async def count() -> int:
        return total

    return Page(
        items=page,
        cursors=[encode_cursor(order.key(r)) for r in page],
        has_next_page=more if not backwards else cursor is not None,
        has_previous_page=more if backwards else cursor is not None,
        count=count,
    )


def _is_after(order: Order, values: tuple[Any, ...], position: tuple[Any, ...]) -> bool:
    for spec, value, pivot in zip(order.fields, values, position, strict=True):
        if value != pivot:
            return bool(value < pivot) if spec.startswith("-") else bool(value > pivot)
    return False
