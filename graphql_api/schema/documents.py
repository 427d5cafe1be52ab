"""Parsing and validation, each done once per document and kept.

One extension instead of five (ParserCache, MaxTokensLimiter,
AddValidationRules, DisableIntrospection and a validation cache): strawberry
runs every extension's hooks on every request, which cost more than the
work they saved. It parses with this deployment's token limit (the parse is
kept by text, so a repeated query is one document object) and validates with
strawberry's rules plus this deployment's own.

Validation outcomes are kept by the document's identity: strawberry's
ValidationCache keys an ``lru_cache`` by (schema, document, rules), and a
document's hash walks every node of it, on each request. Each entry holds
the schema, the document and the rules it was validated with, so no id is
reused while its entry is kept, and other rules validate again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

_Entry = tuple[GraphQLSchema, Any, tuple[Any, ...], list[GraphQLError]]
_VALIDATED: OrderedDict[tuple[int, int], _Entry] = OrderedDict()


@lru_cache(maxsize=256)
def _parse(query: str, max_tokens: int) -> Any:
    return parse(query, max_tokens=max_tokens)


class PreparedDocuments(SchemaExtension):
    def __init__(
        self, max_tokens: int, rules: Sequence[type[ASTValidationRule]], kept: int = 256
    ) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = tuple(rules)
        self.kept = kept

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.parse_options["max_tokens"] = self.max_tokens
            context.graphql_document = _parse(context.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        rules = context.validation_rules + self.rules
        key = (id(schema), id(document))
        entry = _VALIDATED.get(key)
        if entry is not None and entry[0] is schema and entry[1] is document and entry[2] == rules:
            _VALIDATED.move_to_end(key)
            errors = entry[3]
        else:
            assert document is not None
            errors = validate_document(schema, document, rules)
            _VALIDATED[key] = (schema, document, rules, errors)
            while len(_VALIDATED) > self.kept:
                _VALIDATED.popitem(last=False)
        context.pre_execution_errors = errors
        yield
