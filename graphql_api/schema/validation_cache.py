"""Validation results kept per parsed document, by identity.

strawberry's ValidationCache keys an ``lru_cache`` by (schema, document,
rules), and a document's hash walks every node of it: on each request, a
tenth of a Backup tab's time. Documents come from ParserCache, the same
object for the same text, so the outcome is kept by the document's
identity instead. Each entry holds the schema, the document and the rules
it was validated with, so no id is reused while its entry is kept, and a
different set of rules is validated again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

_Entry = tuple[GraphQLSchema, Any, tuple[Any, ...], list[GraphQLError]]
_KEPT: OrderedDict[tuple[int, int], _Entry] = OrderedDict()


class DocumentValidationCache(SchemaExtension):
    def __init__(self, maxsize: int = 256) -> None:
        super().__init__()
        self.maxsize = maxsize

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        rules = context.validation_rules
        key = (id(schema), id(document))
        entry = _KEPT.get(key)
        if entry is not None and entry[0] is schema and entry[1] is document and entry[2] == rules:
            _KEPT.move_to_end(key)
            errors = entry[3]
        else:
            assert document is not None
            errors = validate_document(schema, document, rules)
            _KEPT[key] = (schema, document, rules, errors)
            while len(_KEPT) > self.maxsize:
                _KEPT.popitem(last=False)
        context.pre_execution_errors = errors
        yield
