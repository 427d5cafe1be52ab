"""A faster path through graphql-core for plain leaf fields.

Most fields of a page (a snapshot's id, status, times...) are attributes read
off an object and serialised as a scalar or enum. graphql-core still builds a
resolve-info object, looks for arguments and walks ``complete_value`` for each
of them, which made up most of a 100-row page's time. For such fields (no
resolver, no arguments, leaf type, no middleware) this context reads the
attribute and serialises it directly; anything unusual (an exception, a null
where the type forbids it, an awaitable) falls back to graphql-core's own path,
which then produces exactly the error it always did.

It pays: in alternating in-process runs, a page of 100 snapshots took 0.55x
to 0.91x the time of the plain path (median 0.8x). It relies on
graphql-core's ``execute_field`` signature, hence the pinned range in
pyproject.toml (tests/test_execution.py checks both paths agree).
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from enum import Enum
from operator import attrgetter
from types import GeneratorType
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class _Slow:
    """The type of _SLOW alone, so that no other value is taken for it."""


_SLOW = _Slow()  # "take graphql-core's own path"
# Values that are never awaitable nor an error: no need to ask (it showed in profiles).
_PLAIN = frozenset({str, int, float, bool, datetime})
# Types whose values were found neither awaitable nor an error: asking again,
# for each of a page's hundred rows and their enums, was a tenth of its time.
# Both are properties of the type (a generator is the exception: never here).
_SETTLED: set[type] = set(_PLAIN)


def _settles(value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether ``value`` is a value to complete, not an awaitable, an error or
    _SLOW; its type is remembered as such."""
    if value is _SLOW or isinstance(value, Exception) or is_awaitable(value):
        return False
    kind = type(value)
    if kind is not GeneratorType:
        _SETTLED.add(kind)
    return True


NOT_READY = _SLOW  # what a FAST_READ reader returns when only its resolver can answer

# strawberry.field(metadata={FAST_READ: read}): ``read(source, context)`` is
# the field's value when it is at hand without I/O (e.g. already loaded by a
# DataLoader), else NOT_READY; the field's resolver answers otherwise. For
# resolvers without arguments, extensions or permission classes only.
FAST_READ = "graphql_api.fast_read"


class _Read(NamedTuple):
    """How to read a field off its object."""

    function: Callable[[Any], Any]  # source -> value
    attribute: str | None = None  # when all it does is read this attribute


class _LeafPlan(NamedTuple):
    read: Callable[[Any], Any]  # source -> value
    serialize: Callable[[Any], Any]
    non_null: bool
    attribute: str | None  # see _Read
    # What _compile may write in place of calling serialize: a str is its own
    # serialisation for String and ID; an enum member's name, by the member's id.
    itself_if_str: bool = False
    enum_names: dict[int, str] | None = None


_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # may be written as code: v.<name>

_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], _LeafPlan | None]] = (
    WeakKeyDictionary()
)


def _reader(field_def: GraphQLField) -> _Read | None:
    """How to read a plain field off its object: strawberry's "basic" fields
    (no resolver, no arguments and no extensions, so no permission class is
    skipped by reading the attribute directly), and fields whose resolver
    takes its object alone (see ``_own_resolver``)."""
    resolve = field_def.resolve
    if resolve is None or field_def.args:
        return None
    definition = (field_def.extensions or {}).get(DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    if not getattr(resolve, "_is_default", False):
        own = _own_resolver(definition)
        return None if own is None else _Read(own)
    if not definition.is_basic_field:
        return None
    if definition.default_resolver is getattr:
        name = definition.python_name
        return _Read(attrgetter(name), name if _ATTRIBUTE.fullmatch(name) else None)

    def read(source: Any) -> Any:
        return resolve(source, None)  # strawberry's basic resolver ignores info

    return _Read(read)


def _own_resolver(definition: StrawberryField) -> Callable[[Any], Any] | None:
    """A resolver of its object alone (one parameter, ``self`` or ``root``:
    no arguments, no info, no extensions, not async), as a reader. Its
    errors are not reported here: the reader answers NOT_READY and
    graphql-core runs the resolver again, reporting them as always."""
    resolver = definition.base_resolver
    if resolver is None or definition.extensions or resolver.is_async:
        return None
    own = resolver.self_parameter or resolver.root_parameter
    if own is None or list(resolver.signature.parameters.values()) != [own]:
        return None
    function = resolver.wrapped_func
    if isinstance(function, staticmethod | classmethod):
        return None

    def read(source: Any) -> Any:
        try:
            value = function(source)
        except Exception:  # graphql-core's path reports it
            return NOT_READY
        # An awaitable: only graphql-core's path can answer, and it runs the
        # resolver again; this one is dropped without a warning.
        if isinstance(value, Coroutine):
            value.close()
            return NOT_READY
        if isinstance(value, asyncio.Future):
            value.cancel()  # a DataLoader's shield of its shared future, not the future
            return NOT_READY
        return value

    return read


def _plan(field_def: GraphQLField) -> _LeafPlan | None:
    field_type = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    leaf = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not is_leaf_type(leaf):
        return None
    read = _reader(field_def)
    if read is None:
        return None
    return _LeafPlan(
        read.function,
        _serializer(leaf),
        non_null,
        read.attribute,
        itself_if_str=leaf is GraphQLString or leaf is GraphQLID,
        enum_names=_enum_names(leaf),
    )


def _enum_names(leaf: Any) -> dict[int, str] | None:
    """A strawberry enum's GraphQL names by the id of each member (members
    are singletons; hashing a member calls Enum.__hash__, in Python)."""
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, Enum):
        return None
    by_value = {value.value: name for name, value in leaf.values.items()}
    return {id(m): by_value[m.value] for m in wrapped if m.value in by_value}


def _serializer(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's serialize; for a strawberry enum, a dict lookup first
    (its own serialize scans every value for each one)."""
    serialize: Callable[[Any], Any] = leaf.serialize
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, Enum):
        return serialize
    by_value = {value.value: name for name, value in leaf.values.items()}
    names = {m: by_value[m.value] for m in wrapped if m.value in by_value}

    def serialize_enum(value: Any) -> Any:
        name = names.get(value)
        return serialize(value) if name is None else name

    return serialize_enum


class _ObjectShape(NamedTuple):
    """An object's plain sub-selection: (response key, plan) in order; a None
    plan is ``__typename``."""

    type_: GraphQLObjectType
    fields: tuple[tuple[str, Any], ...]


class _ObjectPlan(NamedTuple):
    """A plain field holding an object, or a list of objects or leaves;
    ``complete(source, context)`` is its completed value, or _SLOW."""

    complete: Callable[[Any, Any], Any]


# Plans of object fields outlive the request: the document comes from the
# parse cache (schema/documents.py), the same object for every request of the
# same text. They are kept per operation, as many operations as the parse
# cache keeps documents, the oldest dropped first with all their plans; each
# entry holds its schema and operation (and so its document), so that no id
# is reused while its entry exists.
_Plans = dict[tuple[str, int], "_ObjectPlan | None"]
_OBJECT_PLANS: OrderedDict[tuple[int, int], tuple[Any, Any, _Plans]] = OrderedDict()
_OPERATIONS_KEPT = 256


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    _plans: dict[tuple[str, str], _LeafPlan | None] | None = None

    def _leaf_plan(self, parent_type: GraphQLObjectType, name: str) -> _LeafPlan | None:
        plans = self._plans
        if plans is None:
            plans = self._plans = _PLANS.setdefault(self.schema, {})
        key = (parent_type.name, name)
        if key not in plans:
            field_def = self.schema.get_field(parent_type, name)
            plans[key] = None if field_def is None else _plan(field_def)
        return plans[key]

    _plans_of_operation: _Plans | None = None

    def _object_plan(self, parent_type: GraphQLObjectType, node: FieldNode) -> _ObjectPlan | None:
        """The plan of a plain field whose value is an object (or a list) and
        whose whole sub-selection is plain fields, else None."""
        plans = self._plans_of_operation
        if plans is None:
            plans = self._plans_of_operation = self._operation_plans()
        key = (parent_type.name, id(node))
        if key in plans:
            return plans[key]
        plans[key] = None  # a field inside itself is not plain
        plan = plans[key] = self._make_object_plan(parent_type, node)
        return plan

    def _operation_plans(self) -> _Plans:
        operation = self.operation
        key = (id(self.schema), id(operation))
        found = _OBJECT_PLANS.get(key)
        if found is not None and found[0] is self.schema and found[1] is operation:
            _OBJECT_PLANS.move_to_end(key)
            return found[2]
        plans: _Plans = {}
        _OBJECT_PLANS[key] = (self.schema, operation, plans)
        while len(_OBJECT_PLANS) > _OPERATIONS_KEPT:
            _OBJECT_PLANS.popitem(last=False)
        return plans

    def _make_object_plan(
        self, parent_type: GraphQLObjectType, node: FieldNode
    ) -> _ObjectPlan | None:
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is None or node.directives or node.selection_set is None:
            return None
        read = _reader(field_def)
        fast_read = None if read is not None else _fast_read(field_def)
        if read is None and fast_read is None:
            return None
        field_type = field_def.type
        non_null = isinstance(field_type, GraphQLNonNull)
        inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        is_list = isinstance(inner, GraphQLList)
        item = inner.of_type if isinstance(inner, GraphQLList) else inner
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if isinstance(item, GraphQLNonNull) else item
        if not isinstance(item, GraphQLObjectType):
            return None
        shape = self._shape(item, node.selection_set.selections)
        if shape is None:
            return None
        complete = _compile(
            _Field(read, fast_read, non_null, is_list, item_non_null), shape, self.is_awaitable
        )
        return _ObjectPlan(complete)

    def _shape(self, type_: GraphQLObjectType, selections: Any) -> _ObjectShape | None:
        fields: list[tuple[str, Any]] = []
        seen: set[str] = set()
        for selection in selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                return None  # fragments, @skip/@include/@defer: graphql-core's path
            if selection.arguments:
                return None
            response_key = (selection.alias or selection.name).value
            if response_key in seen:
                return None  # selected twice: graphql-core merges them
            seen.add(response_key)
            name = selection.name.value
            plan: Any
            if name == "__typename":
                plan = None
            elif selection.selection_set is None:
                plan = self._leaf_plan(type_, name)
                if plan is None:
                    return None
            else:
                plan = self._object_plan(type_, selection)
                if plan is None:
                    return None
            fields.append((response_key, plan))
        return _ObjectShape(type_, tuple(fields))

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        *rest: Any,
    ) -> Any:
        manager = self.middleware_manager  # strawberry always passes one, often empty
        if manager is None or not manager.middlewares:
            first = field_details_list[0]
            node = getattr(first, "node", first)  # graphql-core 3.3 FieldDetails, or 3.2 node
            if not node.arguments:
                plan = self._leaf_plan(parent_type, node.name.value)
                if plan is not None:
                    done = self._fast(plan, source)
                    if done is not _SLOW:
                        return done
                elif (
                    node.selection_set is not None
                    and len(field_details_list) == 1
                    and getattr(first, "defer_usage", None) is None
                ):
                    object_plan = self._object_plan(parent_type, node)
                    if object_plan is not None:
                        done = object_plan.complete(source, self.context_value)
                        if done is not _SLOW:
                            return done
        return super().execute_field(parent_type, source, field_details_list, path, *rest)

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """The result, and the executor no longer in a reference cycle: its
        ``async_helpers`` hold bound methods of itself, so the executor, and
        through its context every row the request read, waited for the
        cyclic collector (about 600 objects per page of 100; collecting them
        cost a fifth of such a page's throughput and doubled its p99). A
        plain result is final: nothing runs on the executor after it."""
        result = super().build_response(data)
        if isinstance(result, ExecutionResult):
            self.__dict__.pop("async_helpers", None)
        return result

    def _fast(self, plan: _LeafPlan, source: Any) -> Any:
        """The serialised leaf, or _SLOW when graphql-core must handle it: a
        null where the type forbids one, an awaitable, or a value the scalar
        refuses. graphql-core then reports the error, at its path, as always."""
        try:
            value = plan.read(source)
        except AttributeError:
            return _SLOW
        if value is None:
            return _SLOW if plan.non_null else None
        if type(value) not in _SETTLED and not _settles(value, self.is_awaitable):
            return _SLOW
        try:
            serialized = plan.serialize(value)
        except (GraphQLError, TypeError, ValueError):
            return _SLOW
        return _SLOW if serialized is None or serialized is Undefined else serialized


def _fast_read(field_def: GraphQLField) -> Callable[[Any, Any], Any] | None:
    """A field's FAST_READ reader, ``read(source, context)``, if it has one
    and no arguments or extensions."""
    definition = (field_def.extensions or {}).get(DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field_def.args or definition.extensions:
        return None
    metadata: Mapping[Any, Any] = definition.metadata or {}
    fast_read: Callable[[Any, Any], Any] | None = metadata.get(FAST_READ)
    return fast_read


class _Field(NamedTuple):
    """How an object field is read off its parent (one of ``read`` and
    ``fast_read``) and what its type allows."""

    read: _Read | None
    fast_read: Callable[[Any, Any], Any] | None
    non_null: bool
    is_list: bool
    item_non_null: bool


def _compile(
    field_: _Field, shape: _ObjectShape, is_awaitable: Callable[[Any], bool]
) -> Callable[[Any, Any], Any]:
    """``complete(source, context)`` for an object field, as one generated
    function (as dataclasses makes its ``__init__``): reading a page's
    hundred rows field by field through a method call each was most of its
    time. It does what ``_fast`` does for each leaf; any doubt (a null the
    type forbids, an awaitable, a value the scalar refuses) answers _SLOW,
    and graphql-core completes the whole field, reporting errors as always.
    The generated text names only constants it is given, never input."""
    env: dict[str, Any] = {
        "SLOW": _SLOW,
        "SETTLED": _SETTLED,
        "settles": _settles,
        "Undefined": Undefined,
        "is_awaitable": is_awaitable,
        "Caught": (AttributeError, GraphQLError, TypeError, ValueError),
    }
    lines: list[str] = []

    def constant(value: Any) -> str:
        name = f"c{len(env)}"
        env[name] = value
        return name

    def read_expression(source: str, read: _Read | None, fast_read: Any) -> str:
        if fast_read is not None:
            return f"{constant(fast_read)}({source}, context)"
        assert read is not None
        if read.attribute is not None:
            return f"{source}.{read.attribute}"
        return f"{constant(read.function)}({source})"

    def emit_shape(shape: _ObjectShape) -> str:
        """A function ``(value, context) -> dict or SLOW``; its name."""
        name = f"shape{len(env)}"
        env[name] = None  # reserve the name
        body: list[str] = [f"def {name}(v, context):"]
        body.append("    if type(v) not in SETTLED and not settles(v, is_awaitable):")
        body.append("        return SLOW")
        if shape.type_.is_type_of is not None:
            body.append(f"    if not {constant(shape.type_.is_type_of)}(v, None):")
            body.append("        return SLOW")
        body.append("    try:")
        keys: list[tuple[str, str]] = []
        for i, (response_key, plan) in enumerate(shape.fields):
            out = f"o{i}"
            keys.append((response_key, out))
            if plan is None:
                body.append(f"        {out} = {shape.type_.name!r}")
            elif type(plan) is _LeafPlan:
                read = _Read(plan.read, plan.attribute)
                body.append(f"        x = {read_expression('v', read, None)}")
                body.append("        if x is None:")
                body.append(f"            {'return SLOW' if plan.non_null else out + ' = None'}")
                if plan.itself_if_str:
                    body.append("        elif type(x) is str:")
                    body.append(f"            {out} = x")
                elif plan.enum_names is not None:
                    names = constant(plan.enum_names)
                    body.append(f"        elif ({out} := {names}.get(id(x))) is not None:")
                    body.append("            pass")
                body.append("        else:")
                body.append(
                    "            if type(x) not in SETTLED and not settles(x, is_awaitable):"
                )
                body.append("                return SLOW")
                body.append(f"            {out} = {constant(plan.serialize)}(x)")
                body.append(f"            if {out} is None or {out} is Undefined:")
                body.append("                return SLOW")
            else:
                body.append(f"        {out} = {constant(plan.complete)}(v, context)")
                body.append(f"        if {out} is SLOW:")
                body.append("            return SLOW")
        body.append("    except Caught:")
        body.append("        return SLOW")
        pairs = ", ".join(f"{key!r}: {out}" for key, out in keys)
        body.append(f"    return {{{pairs}}}")
        exec("\n".join(body), env)  # noqa: S102 -- see _compile's docstring
        return name

    shape_name = emit_shape(shape)
    lines.append("def complete(source, context):")
    lines.append("    try:")
    lines.append(f"        value = {read_expression('source', field_.read, field_.fast_read)}")
    lines.append("    except AttributeError:")
    lines.append("        return SLOW")
    lines.append("    if value is None:")
    lines.append("        return SLOW" if field_.non_null else "        return None")
    lines.append("    if type(value) not in SETTLED and not settles(value, is_awaitable):")
    lines.append("        return SLOW")
    if not field_.is_list:
        lines.append(f"    return {shape_name}(value, context)")
    else:
        lines.append("    if not isinstance(value, (list, tuple)):")
        lines.append("        return SLOW")
        lines.append("    items = []")
        lines.append("    for item in value:")
        lines.append("        if item is None:")
        if field_.item_non_null:
            lines.append("            return SLOW")
        else:
            lines.append("            items.append(None)")
            lines.append("            continue")
        lines.append(f"        done = {shape_name}(item, context)")
        lines.append("        if done is SLOW:")
        lines.append("            return SLOW")
        lines.append("        items.append(done)")
        lines.append("    return items")
    exec("\n".join(lines), env)  # noqa: S102 -- see _compile's docstring
    complete: Callable[[Any, Any], Any] = env["complete"]
    return complete
