"""A document is parsed and validated once per set of rules, and its
outcome, errors included, is the same on every request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphql_api.schema import build_schema, documents
from graphql_api.settings import Settings


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = documents.validate_document

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        seen.append(document)
        return real(schema, document, rules)

    monkeypatch.setattr(documents, "validate_document", counted)
    return seen


def _errors(schema: Any, query: str) -> list[str]:
    result = asyncio.run(schema.execute(query))
    return [e.message for e in result.errors or []]


def test_a_repeated_document_is_validated_once(validations: list[Any]) -> None:
    schema = build_schema(Settings())  # type: ignore[call-arg]
    query = "query Repeated { nosuchfield }"
    answers = [_errors(schema, query) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert "Cannot query field 'nosuchfield'" in answers[0][0]
    assert len(validations) == 1


def test_other_rules_validate_again(validations: list[Any]) -> None:
    """A deployment with other limits (another schema) does not take this one's outcome."""
    deep = "query Deep { viewer { organizations { nodes { projects { nodes { id } } } } } }"
    strict = build_schema(Settings(max_query_depth=2))  # type: ignore[call-arg]
    lenient = build_schema(Settings(max_query_depth=20))  # type: ignore[call-arg]
    assert any("exceeds maximum operation depth" in e for e in _errors(strict, deep))
    assert not any("depth" in e for e in _errors(lenient, deep))
    assert len(validations) == 2
