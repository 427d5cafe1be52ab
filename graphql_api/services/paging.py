"""Pages of lists: the one way every list the API returns is paged.

A list is rows of one table in one order whose last field is unique, cut by
keyset cursors: a page is an index range whatever its depth, and rows added
meanwhile never shift a client's place. Lists nested under a list of parents
(each cluster's snapshots) are read for every parent in one statement that
numbers each parent's rows, so a request costs as many statements for two
parents as for a hundred, and each parent's read stops at its page.
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import json
import operator
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar, cast, overload

import orjson
from pypika_tortoise import JoinType, Table
from pypika_tortoise import Order as SqlOrder
from pypika_tortoise.analytics import Count as WindowCount
from pypika_tortoise.analytics import RowNumber
from pypika_tortoise.context import SqlContext
from pypika_tortoise.functions import Count
from pypika_tortoise.terms import Term, ValueWrapper
from pypika_tortoise.utils import format_alias_sql
from tortoise import connections
from tortoise.fields import DatetimeField
from tortoise.models import Model

from graphql_api.services.errors import InvalidInputError
from graphql_api.services.rows import RowBuilder

T = TypeVar("T")
M = TypeVar("M", bound=Model)

ONE_LIST = ""  # the key of a listing without parents: there is one list

# A parent's key: its id, or a tuple of values (a cluster's id and its project's).
Key = str | tuple[str, ...]
K = TypeVar("K", bound=Key)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """``first``/``after`` forward, ``last``/``before`` backward, within the
    deployment's page sizes."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    default_size: int = 20
    max_size: int = 100

    def validated(self) -> tuple[int, str | None, bool]:
        """(size, cursor, backwards); raises InvalidInputError for a bad request."""
        if self.first is not None and self.last is not None:
            raise InvalidInputError("Pass either first or last, not both.")
        if self.after is not None and self.before is not None:
            raise InvalidInputError("Pass either after or before, not both.")
        backwards = self.last is not None or (self.before is not None and self.first is None)
        size = self.last if backwards else self.first
        if size is None:
            size = self.default_size
        if not 0 <= size <= self.max_size:
            name = "last" if backwards else "first"
            raise InvalidInputError(f"{name} must be between 0 and {self.max_size}, got {size}.")
        return size, (self.before if backwards else self.after), backwards


@dataclass(frozen=True, slots=True)
class Order:
    """Sort fields, each ``name`` or ``-name`` (descending); the last must be unique."""

    fields: tuple[str, ...]
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(f.lstrip("-") for f in self.fields))

    def reversed(self) -> Order:
        return Order(tuple(f[1:] if f.startswith("-") else f"-{f}" for f in self.fields))

    def key(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self.names)


class Cursors(Sequence[str]):
    """A page's cursors, each encoded when first read: most screens read
    only the last one (``endCursor``), and each costs an encode."""

    __slots__ = ("_found", "_items", "_order")

    def __init__(self, items: Sequence[Any], order: Order) -> None:
        self._items = tuple(items)
        self._order = order
        self._found: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        """Equal to the list of the same cursors, as the list it replaces was."""
        if isinstance(other, Cursors | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._items)))]
        position = index + len(self._items) if index < 0 else index
        if not 0 <= position < len(self._items):
            raise IndexError(index)
        found = self._found.get(position)
        if found is None:
            found = encode_cursor(self._order.key(self._items[position]))
            self._found[position] = found
        return found


# Conditions on a table's columns. Plain values, so that lists asking the
# same thing compare equal and share one statement.


@dataclass(frozen=True, slots=True)
class Eq:
    column: str
    value: Any


@dataclass(frozen=True, slots=True)
class NotEq:
    column: str
    value: Any


@dataclass(frozen=True, slots=True)
class In:
    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class IsNull:
    column: str


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class InRowsOf:
    """``column`` is the id of a ``model`` row that meets ``where``."""

    column: str
    model: type[Model]
    where: tuple[Condition, ...]


Condition = Eq | NotEq | In | IsNull | AnyOf | InRowsOf


@dataclass(frozen=True, slots=True)
class Listing(Generic[M]):
    """One kind of list: rows of ``model`` in ``order`` that meet ``where``,
    each in the list of every parent that one of ``parents`` names: a column,
    or a tuple of columns matched part by part against a tuple key (a restore
    from cluster A into B is in A's list and in B's). Without parents there
    is one list, keyed ONE_LIST."""

    model: type[M]
    order: Order
    parents: tuple[str | tuple[str, ...], ...] = ()
    where: tuple[Condition, ...] = ()


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Awaitable[int]] = field(repr=False)
    total: int | None = None  # known without a count when the page was read from the start
    related: list[Any] = field(default_factory=list)  # rows of ``related`` read along


async def read_pages(
    listing: Listing[M],
    keys: Sequence[K],
    request: PageRequest,
    *,
    with_total: bool = True,
    related: tuple[str, ...] = (),
) -> dict[K, Page[M]]:
    """The same page of each parent's list: one statement, however many
    parents. ``totalCount`` is ``count_rows``, called only when asked;
    ``with_total`` reads it along with a page read from the start.
    ``related`` names foreign keys whose rows come along in the same
    statement (a snapshot's cluster), set on each row as Tortoise does for
    select_related and listed in ``Page.related``."""
    size, cursor, backwards = request.validated()
    keys = _unique(listing, keys)
    walk = listing.order.reversed() if backwards else listing.order
    after = None if cursor is None else decode_cursor(cursor, listing.order, listing.model)
    counted = with_total and after is None
    ranked = (
        await _ranked_rows(listing, keys, walk, after, size + 1, counted, related)
        if size and keys
        else []
    )
    found: dict[Key, list[M]] = defaultdict(list)
    # Read from the start, each row carries its list's length (a window COUNT),
    # so totalCount costs nothing more; a list with no row at all has none.
    totals: dict[Key, int] = dict.fromkeys(keys, 0) if counted and size else {}
    for key, row, total in ranked:
        found[key].append(row)
        if total is not None:
            totals[key] = total
    pages: dict[K, Page[M]] = {}
    for key in keys:
        items = found.get(key, [])
        more = len(items) > size
        items = items[:size]
        if backwards:
            items.reverse()

        async def count(key: K = key) -> int:
            if key in totals:
                return totals[key]
            return (await count_rows(listing, [key]))[key]

        pages[key] = Page(
            related=_related_rows(items, related),
            items=items,
            cursors=Cursors(items, listing.order),
            has_next_page=more if not backwards else cursor is not None,
            has_previous_page=more if backwards else cursor is not None,
            count=count,
            total=totals.get(key),
        )
    return pages


def _related_rows(items: list[Any], related: tuple[str, ...]) -> list[Any]:
    rows = (getattr(item, f"_{name}") for item in items for name in related)
    return [row for row in rows if row is not None]


async def read_page(listing: Listing[M], request: PageRequest) -> Page[M]:
    """The page of a listing without parents."""
    return (await read_pages(listing, [ONE_LIST], request))[ONE_LIST]


async def read_slice(listing: Listing[M], key: Key, offset: int, size: int) -> tuple[list[M], int]:
    """Rows ``offset`` to ``offset + size`` of one parent's list (ONE_LIST
    without parents) and the list's length: numbered pages for clients that
    page by number (the Atlas REST API). One statement; two when the slice
    is past the end, where no row carries the length."""
    keys = _unique(listing, [key])
    ranked = await _ranked_rows(
        listing, keys, listing.order, None, offset + size, counted=True, skip=offset
    )
    if ranked:
        return [row for _, row, _ in ranked], int(ranked[0][2] or 0)
    return [], (await count_rows(listing, keys))[keys[0]]


async def count_rows(listing: Listing[Any], keys: Sequence[K]) -> dict[K, int]:
    """How many rows each parent's whole list has, in one statement."""
    keys = _unique(listing, keys)
    table, parents = _members(listing, keys)
    query = _where(listing, table, parents).select(Count("*").as_("n"))
    if parents is None:
        [row] = await _rows(query)
        return {k: int(row["n"]) for k in keys}
    query = query.groupby(*parents.columns).select(*parents.labelled())
    counts = {parents.key_of(row): row["n"] for row in await _rows(query)}
    return {k: int(counts.get(k, 0)) for k in keys}


def _unique(listing: Listing[Any], keys: Sequence[K]) -> list[K]:
    return list(dict.fromkeys(keys)) if listing.parents else [cast(K, ONE_LIST)]


async def _ranked_rows(
    listing: Listing[M],
    keys: Sequence[Key],
    walk: Order,
    after: tuple[Any, ...] | None,
    limit: int,
    counted: bool,
    related: tuple[str, ...] = (),
    skip: int = 0,
) -> list[tuple[Key, M, int | None]]:
    """(parent key, row) of the first ``limit`` rows of each parent's list, in
    ``walk`` order: ROW_NUMBER() OVER (PARTITION BY parent ORDER BY walk),
    and when ``counted``, the length of its list. A single list is a plain
    ORDER BY ... LIMIT instead, which an index serves without reading the
    whole list (unless its length is asked for)."""
    db = connections.get("default")
    first = keys[0] if listing.parents else None
    tuples = isinstance(first, tuple)
    arity = len(first) if isinstance(first, tuple) else 1
    one = len(keys) == 1
    statement = _statement(
        db.query_class, listing, len(keys), arity, walk, after is not None, counted, related,
        (limit, skip) if one else None,
    )  # fmt: skip
    given: list[Any] = [part for key in keys for part in _parts(key)]
    given += [*(_db_value(v) for v in after or ()), limit, skip]
    _, records = await db.execute_query(statement.sql, statement.values(given))
    positions = tuple(records[0].keys()) if records else None
    build = RowBuilder.of(listing.model, "", positions)
    attach = [
        (attribute, RowBuilder.of(model, prefix, positions), to_alias)
        for attribute, model, prefix, to_alias in statement.attach
    ]
    found: list[tuple[Key, M, int | None]] = []
    only = keys[0] if not listing.parents or one else None  # every row is the one list's
    for record in records:
        row = build(record)
        for attribute, related_row, to_alias in attach:
            row.__dict__[attribute] = None if record[to_alias] is None else related_row(record)
        if only is not None:
            key: Key = only
        elif tuples:
            key = tuple(record[f"key_{i + 1}"] for i in range(arity))
        else:
            key = record["key_1"]
        found.append((key, row, int(record["list_total"]) if counted else None))
    return found


class _Slot:
    """Where the n-th value of a call goes: a statement is made once for
    each shape of call, with slots in place of its values (see ``_statement``)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


@dataclass(frozen=True, slots=True)
class _Statement:
    """The SQL of one shape of ``_ranked_rows`` call, and how to read its rows."""

    sql: str
    fills: tuple[_Slot | Any, ...]  # each parameter: a slot to fill, or a constant
    # Related rows: the attribute they go in, their model, column prefix and key column.
    attach: tuple[tuple[str, type[Model], str, str], ...]

    def values(self, given: list[Any]) -> list[Any]:
        return [given[f.index] if type(f) is _Slot else f for f in self.fills]


@functools.lru_cache(maxsize=512)
def _statement(
    query_class: Any,
    listing: Listing[Any],
    n_keys: int,
    arity: int,
    walk: Order,
    has_after: bool,
    counted: bool,
    related: tuple[str, ...],
    one_limit: tuple[int, int] | None,
) -> _Statement:
    """The statement for every call of this shape, made once: building it
    with pypika took as long as the rest of a small page. The values a call
    brings (parent keys, cursor values, limit and offset) are slots, numbered
    as ``_ranked_rows`` lists them; the listing's own conditions are part of
    its key and stay constants."""
    slots = iter(_Slot(i) for i in itertools.count())
    keys: list[Key] = []
    for _ in range(n_keys):
        parts = tuple(next(slots) for _ in range(arity))
        keys.append(parts if arity > 1 else parts[0])  # type: ignore[arg-type]
    after = tuple(next(slots) for _ in walk.fields) if has_after else None
    limit, skip = next(slots), next(slots)
    table, parents = _members(listing, keys)
    # One list: no partition (a bound parameter there upsets the order of
    # PostgreSQL's numbered parameters once a second window repeats it).
    key_terms = [] if parents is None or n_keys == 1 else parents.columns
    labels = [ValueWrapper(ONE_LIST).as_("key_1")] if parents is None else parents.labelled()
    numbered = _where(listing, table, parents)
    if after is not None:
        numbered = numbered.where(_after(table, walk, after))
    columns = [table.star, *labels]
    if counted:
        columns.append(WindowCount("*").over(*key_terms).as_("list_total"))
    joined = [_Related(listing.model, name) for name in related]
    for join in joined:
        numbered = numbered.join(join.table, how=JoinType.left).on(
            join.table.field(join.to_field) == table.field(join.source_field)
        )
        columns += join.columns()
    if one_limit is not None:
        size, offset = one_limit
        query = numbered.select(*columns)
        for spec in walk.fields:
            query = query.orderby(
                table.field(spec.lstrip("-")),
                order=SqlOrder.desc if spec.startswith("-") else SqlOrder.asc,
            )
        query = query.limit(size - offset).offset(offset) if offset else query.limit(size)
    else:
        position = RowNumber().over(*key_terms)
        for spec in walk.fields:
            position = position.orderby(
                table.field(spec.lstrip("-")),
                order=SqlOrder.desc if spec.startswith("-") else SqlOrder.asc,
            )
        inner = numbered.select(*columns, position.as_("position")).as_("numbered")
        query = (
            query_class.from_(inner)
            .select(inner.star)
            .where(inner.position <= ValueWrapper(limit))
            .where(inner.position > ValueWrapper(skip))
            .orderby(inner.position)
        )
    sql, fills = query.get_parameterized_sql()
    attach = tuple(
        (f"_{join.name}", join.model, f"{join.name}__", join.to_alias) for join in joined
    )
    return _Statement(sql, tuple(fills), attach)


class _Related:
    """A foreign key's row read along: LEFT JOIN its table, each column
    selected as ``<name>__<column>``."""

    def __init__(self, model: type[Model], name: str) -> None:
        fk: Any = model._meta.fields_map[name]
        self.name = name
        self.model: type[Model] = fk.related_model
        self.source_field = str(fk.source_field)
        self.to_field = str(fk.to_field)
        self.table = Table(self.model._meta.db_table, alias=f"related_{name}")
        self.db_columns = sorted(self.model._meta.db_fields)
        self.aliases = [f"{name}__{c}" for c in self.db_columns]

    def columns(self) -> list[Any]:
        pairs = zip(self.db_columns, self.aliases, strict=True)
        return [self.table.field(c).as_(a) for c, a in pairs]

    @property
    def to_alias(self) -> str:
        return f"{self.name}__{self.to_field}"


def _members(listing: Listing[Any], keys: Sequence[Key]) -> tuple[Table, _Parents | None]:
    """The listing's table, and the parent keys as a table (None: one list)."""
    table = Table(listing.model._meta.db_table)
    return table, (_Parents(keys) if listing.parents else None)


def _where(listing: Listing[Any], table: Table, parents: _Parents | None) -> Any:
    """FROM the table, each row joined to the parents it belongs to, WHERE
    the listing's conditions."""
    query = connections.get("default").query_class.from_(table)
    if parents is not None:
        query = query.join(parents).on(
            _either([parents.matches(table, membership) for membership in listing.parents])
        )
    for condition in listing.where:
        query = query.where(_criterion(table, condition))
    return query


class _Parents(Table):
    """``(VALUES (?, ?), ...) parents``: the parent keys as a table, whose
    columns are ``column1``, ``column2``... on SQLite and PostgreSQL alike."""

    def __init__(self, keys: Sequence[Key]) -> None:
        super().__init__("values", alias="parents")
        self._rows = [[ValueWrapper(v) for v in _parts(k)] for k in keys]
        self._tuples = bool(keys) and isinstance(keys[0], tuple)
        arity = len(self._rows[0]) if self._rows else 1
        self.columns = [self.field(f"column{i + 1}") for i in range(arity)]

    def get_sql(self, ctx: SqlContext) -> str:
        rows = ",".join("(" + ",".join(v.get_sql(ctx) for v in row) + ")" for row in self._rows)
        return format_alias_sql(f"(VALUES {rows})", self.alias, ctx)

    def matches(self, table: Table, membership: str | tuple[str, ...]) -> Any:
        columns = (membership,) if isinstance(membership, str) else membership
        pairs = zip(columns, self.columns, strict=True)
        return functools.reduce(operator.and_, [table.field(c) == p for c, p in pairs])

    def labelled(self) -> list[Any]:
        return [c.as_(f"key_{i + 1}") for i, c in enumerate(self.columns)]

    def key_of(self, row: dict[str, Any]) -> Key:
        parts = tuple(row[f"key_{i + 1}"] for i in range(len(self.columns)))
        return parts if self._tuples else parts[0]


def _parts(key: Key) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)


def _criterion(table: Table, condition: Condition) -> Term:
    match condition:
        case Eq(column, value):
            return table.field(column) == ValueWrapper(_db_value(value))
        case NotEq(column, value):
            return table.field(column) != ValueWrapper(_db_value(value))
        case In(column, values) if values:
            return table.field(column).isin([ValueWrapper(_db_value(v)) for v in values])
        case In():
            # In nothing: no row. Literals, not parameters: PostgreSQL would
            # type two bare parameters as text and refuse the integers.
            return ValueWrapper(1, allow_parametrize=False) == ValueWrapper(
                0, allow_parametrize=False
            )
        case IsNull(column):
            return table.field(column).isnull()
        case AnyOf(conditions):
            return _either([_criterion(table, c) for c in conditions])
        case InRowsOf(column, model, where):
            other = Table(model._meta.db_table)
            rows = connections.get("default").query_class.from_(other).select(other.id)
            for c in where:
                rows = rows.where(_criterion(other, c))
            return table.field(column).isin(rows)
    raise TypeError(f"not a condition: {condition!r}")


def _after(table: Table, walk: Order, values: tuple[Any, ...]) -> Term:
    """Rows strictly after ``values`` in ``walk``: (a>x) or (a=x and b>y) ..."""
    clauses: list[Term] = []
    for i, spec in enumerate(walk.fields):
        column = table.field(spec.lstrip("-"))
        value = ValueWrapper(_db_value(values[i]))
        equal = [
            table.field(name) == ValueWrapper(_db_value(v))
            for name, v in zip(walk.names[:i], values[:i], strict=True)
        ]
        strictly = column < value if spec.startswith("-") else column > value
        clauses.append(functools.reduce(operator.and_, [*equal, strictly]))
    return _either(clauses)


def _either(terms: list[Any]) -> Any:
    """OR of the terms; pypika's Criterion.any types its result as empty."""
    return functools.reduce(operator.or_, terms)


def _db_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


async def _rows(query: Any) -> list[dict[str, Any]]:
    sql, values = query.get_parameterized_sql()
    return await connections.get("default").execute_query_dict(sql, values)


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    # orjson writes what json.dumps(separators=(",", ":")) does, non-ASCII as
    # UTF-8 rather than \u escapes (decode_cursor reads both), in a tenth of the time.
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


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
    pairs = zip(order.names, values, strict=True)
    return tuple(_from_json(model, name, value) for name, value in pairs)


def _from_json(model: type[Model], name: str, value: Any) -> Any:
    column = model._meta.fields_map[name]
    invalid = InvalidInputError("Cursor is not valid for this list.")
    if not isinstance(value, str) or "\x00" in value:
        raise invalid
    if isinstance(column, DatetimeField):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise invalid from None
        if parsed.tzinfo is None:
            raise invalid
        return parsed
    if len(value) > (getattr(column, "max_length", None) or len(value)):
        raise invalid
    return value
