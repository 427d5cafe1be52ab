"""Rows read by hand-written SQL into model instances, fast.

Tortoise's own path (``_init_from_db``) sets each attribute through the
model's ``__setattr__`` and reads the time-zone settings for every
datetime; a page of a hundred rows spent about a third of its time there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from tortoise.fields import DatetimeField, JSONField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz

_BUILDERS_KEPT = 1024  # by (model, prefix, column positions): a few per statement


class RowBuilder:
    """Rows into instances of ``model``, as Tortoise's ``_init_from_db``
    makes them (same attributes, same conversions, flagged saved). ``prefix``
    reads the columns of a joined row (``<name>__<column>``); ``positions``,
    the row's column names in order, makes it read each column by position
    (a tenth of a row's time). Take one with ``RowBuilder.of``: each is made
    once."""

    __slots__ = ("build",)

    _made: dict[tuple[type[Model], str, tuple[str, ...] | None, bool, Any], RowBuilder] = {}

    @classmethod
    def of(
        cls, model: type[Model], prefix: str = "", positions: tuple[str, ...] | None = None
    ) -> RowBuilder:
        """The builder for these rows, made at first use. The time-zone
        settings are part of its key: Tortoise reads them from the
        environment once, at its first use (tests may set them before)."""
        key = (model, prefix, positions, get_use_tz(), get_default_timezone())
        found = cls._made.get(key)
        if found is None:
            if len(cls._made) >= _BUILDERS_KEPT:
                cls._made.clear()
            found = cls._made[key] = cls(model, prefix, positions)
        return found

    def __init__(
        self, model: type[Model], prefix: str = "", positions: tuple[str, ...] | None = None
    ) -> None:
        meta = model._meta
        use_tz = get_use_tz()
        zone = get_default_timezone()
        flags = {
            "_partial": False,
            "_saved_in_db": True,
            "_custom_generated_pk": meta.db_pk_column not in meta.generated_db_fields,
        }
        columns: list[tuple[str, str, Callable[[Any], Any] | None]] = []
        for column, attribute, _ in meta.db_native_fields:
            columns.append((prefix + column, attribute, None))
        for column, attribute, fld in meta.db_default_fields:
            columns.append((prefix + column, attribute, _plain(fld.field_type)))
        for column, attribute, fld in meta.db_complex_fields:
            columns.append((prefix + column, attribute, _converter(fld, use_tz, zone)))
        self.build = _compiled(model, flags, columns, positions)

    def __call__(self, record: Any) -> Any:
        return self.build(record)


def _compiled(
    model: type[Model],
    flags: dict[str, Any],
    columns: list[tuple[str, str, Callable[[Any], Any] | None]],
    positions: tuple[str, ...] | None = None,
) -> Callable[[Any], Any]:
    """``record -> instance`` as one generated function (as dataclasses makes
    its ``__init__``): a page of rows calls it once per row, and a loop over
    the columns with a test per column cost as much again. The common case
    of a conversion (a null, a UTC datetime, a known enum value) is written
    inline; anything else calls the column's converter. The names in the
    generated code are only the model's own columns and attributes, passed
    as constants (``repr``), never input."""
    env: dict[str, Any] = {"new": model.__new__, "model": model, "datetime": datetime}
    lines = ["def build(record):", "    row = new(model)", "    row.__dict__.update({"]
    for name, value in (*flags.items(), ("_await_when_save", None)):
        lines.append(f"        {name!r}: {'{}' if value is None else repr(value)},")
    for i, (column, attribute, convert) in enumerate(columns):
        read = f"record[{column!r}]" if positions is None else f"record[{positions.index(column)}]"
        if convert is None:
            lines.append(f"        {attribute!r}: {read},")
            continue
        env[f"convert_{i}"] = convert
        inline = getattr(convert, "inline", None)
        if isinstance(inline, _KeepUtc):
            env[f"keep_{i}"] = inline.zone
            value = (
                f"x if (x := {read}) is None or (type(x) is datetime and x.tzinfo is keep_{i})"
                f" else convert_{i}(x)"
            )
        elif isinstance(inline, _Members):
            env[f"members_{i}"] = inline.members
            value = f"None if (x := {read}) is None else members_{i}.get(x) or convert_{i}(x)"
        elif isinstance(inline, _Decoded):
            env[f"decode_{i}"] = inline.decode
            value = f"decode_{i}(x) if type(x := {read}) is str else convert_{i}(x)"
        else:
            value = f"convert_{i}({read})"
        lines.append(f"        {attribute!r}: ({value}),")
    lines += ["    })", "    return row"]
    exec("\n".join(lines), env)  # noqa: S102 -- generated from the model's metadata only
    build: Callable[[Any], Any] = env["build"]
    return build


@dataclass(frozen=True, slots=True)
class _KeepUtc:
    """A datetime column whose aware values in ``zone`` are kept as they come."""

    zone: Any


@dataclass(frozen=True, slots=True)
class _Decoded:
    """A JSON column of plain values: text as the driver returns it is decoded."""

    decode: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Members:
    """An enum column: its members by value, each of them true (so ``or`` works)."""

    members: dict[Any, Any]


def _plain(field_type: Any) -> Callable[[Any], Any]:
    return lambda value: None if value is None else field_type(value)


def _converter(fld: Any, use_tz: bool, zone: Any) -> Callable[[Any], Any]:
    """The column's ``to_python_value``, with the common cases inlined: an
    aware datetime as the driver returns it (PostgreSQL), an enum's value.
    ``inline`` tells ``_compiled`` the common case it may write in place."""
    slow = fld.to_python_value
    if isinstance(fld, DatetimeField) and use_tz:
        # PostgreSQL's rows come in UTC already: with UTC configured, such a
        # value is kept (Tortoise would swap its tzinfo for an equal UTC zone).
        keep = UTC if getattr(zone, "key", None) == "UTC" else None

        def datetime_value(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                return value if value.tzinfo is keep else value.astimezone(zone)
            return slow(value)

        if keep is not None:
            datetime_value.inline = _KeepUtc(keep)  # type: ignore[attr-defined]
        return datetime_value
    if type(fld).to_python_value is CharEnumFieldInstance.to_python_value:
        enum_type = fld.enum_type
        members = enum_type._value2member_map_

        def enum_value(value: Any) -> Any:
            if value is None:
                return None
            found = members.get(value)
            return enum_type(value) if found is None else found

        if all(members.values()):
            enum_value.inline = _Members(members)  # type: ignore[attr-defined]
        return enum_value
    if isinstance(fld, JSONField) and not isinstance(fld.field_type, type(BaseModel)):

        def json_value(value: Any) -> Any:
            return slow(value)

        json_value.inline = _Decoded(fld.decoder)  # type: ignore[attr-defined]
        return json_value
    return slow


def numbered(db: Any, sql: str) -> str:
    """``sql`` with each ``{}`` made the connection's next placeholder:
    ``?`` on SQLite, ``$1``, ``$2``... on PostgreSQL."""
    if db.capabilities.dialect == "sqlite":
        return sql.replace("{}", "?")
    parts = sql.split("{}")
    out = [parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        out.append(f"${i}{part}")
    return "".join(out)
