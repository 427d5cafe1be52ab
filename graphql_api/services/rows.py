"""Rows read by hand-written SQL into model instances, fast.

Tortoise's own path (``_init_from_db``) sets each attribute through the
model's ``__setattr__`` and reads the time-zone settings for every
datetime; a page of a hundred rows spent about a third of its time there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.fields import DatetimeField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz


class RowBuilder:
    """Rows into instances of ``model``, as Tortoise's ``_init_from_db``
    makes them (same attributes, same conversions, flagged saved). ``prefix``
    reads the columns of a joined row (``<name>__<column>``). Settings are
    read when the builder is made: make one per statement."""

    __slots__ = ("columns", "flags", "model")

    def __init__(self, model: type[Model], prefix: str = "") -> None:
        meta = model._meta
        use_tz = get_use_tz()
        zone = get_default_timezone()
        self.model = model
        self.flags = {
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
        self.columns = columns

    def __call__(self, record: Any) -> Any:
        row = self.model.__new__(self.model)
        values = row.__dict__
        values.update(self.flags)
        values["_await_when_save"] = {}
        for column, attribute, convert in self.columns:
            value = record[column]
            values[attribute] = value if convert is None else convert(value)
        return row


def _plain(field_type: Any) -> Callable[[Any], Any]:
    return lambda value: None if value is None else field_type(value)


def _converter(fld: Any, use_tz: bool, zone: Any) -> Callable[[Any], Any]:
    """The column's ``to_python_value``, with the common cases inlined: an
    aware datetime as the driver returns it (PostgreSQL), an enum's value."""
    slow = fld.to_python_value
    if isinstance(fld, DatetimeField) and use_tz:
        # PostgreSQL's rows come in UTC already: with UTC configured, such a
        # value is kept (Tortoise would swap its tzinfo for an equal UTC zone).
        keep = UTC if getattr(zone, "key", None) == "UTC" else None

        def datetime_value(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                return value if value.tzinfo is keep else value.astimezone(zone)
            return slow(value)

        return datetime_value
    if type(fld).to_python_value is CharEnumFieldInstance.to_python_value:
        enum_type = fld.enum_type
        members = enum_type._value2member_map_

        def enum_value(value: Any) -> Any:
            if value is None:
                return None
            found = members.get(value)
            return enum_type(value) if found is None else found

        return enum_value
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
