"""The console's GraphQL operations are checked-in files, valid against schema.graphql.

A schema change that breaks the console fails here (schema.graphql itself is kept
equal to the code by test_schema_sync). The JavaScript sends exactly these texts:
it names operations, it never writes a query.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from graphql_api.console.routes import STATIC
from tests.conftest import ROOT

OPERATIONS = sorted((STATIC / "operations").glob("*.graphql"))
SCRIPTS = sorted((STATIC / "js").glob("*.js"))
# gql('Name', ...) and subscribe('Name', ...): the only ways the JS sends an operation.
USES = re.compile(r"\b(?:gql|subscribe)\(\s*'(\w+)'")
# GraphQL written inline: a keyword, an optional name, then ( or {; or a string
# that opens with a selection set (the anonymous query shorthand).
INLINE_GRAPHQL = re.compile(
    r"\b(?:query|mutation|subscription|fragment)\b\s*\w*\s*[({]|[\"'`]\s*\{\s*\w+\s*[({]"
)
# What Trusted Types would refuse anyway: HTML parsing and code from strings.
SINKS = re.compile(
    r"\.(?:inner|outer)HTML\s*=|insertAdjacentHTML\(|document\.write|\beval\(|new Function\("
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text())


def test_there_are_operations_and_scripts() -> None:
    assert len(OPERATIONS) >= 10
    assert any(path.name == "api.js" for path in SCRIPTS)


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_checked_in_schema(
    path: Path, schema: GraphQLSchema
) -> None:
    document = parse(path.read_text())
    errors = validate(schema, document)
    assert not errors, [e.message for e in errors]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert [op.name.value if op.name else None for op in operations] == [path.stem]


def test_a_schema_change_that_breaks_the_console_is_caught() -> None:
    """The check above is real: drop one field the Backup tab reads, and it fails."""
    sdl = (ROOT / "schema.graphql").read_text()
    broken = re.sub(r'\n  """SHA-256 of the archive, hex."""\n  sha256: String\n', "\n", sdl)
    assert broken != sdl
    errors = validate(
        build_schema(broken), parse((STATIC / "operations/ClusterBackup.graphql").read_text())
    )
    assert any("sha256" in e.message for e in errors)


def test_the_scripts_use_every_operation_and_only_those() -> None:
    used = {name for path in SCRIPTS for name in USES.findall(path.read_text())}
    assert used == {path.stem for path in OPERATIONS}


@pytest.mark.parametrize(
    "inline",
    [
        "const q = `query Viewer { viewer { email } }`;",
        "body: JSON.stringify({ query: '{ viewer { email } }' })",
        "'mutation($s: ID!) { downloadSnapshot(snapshotId: $s) { job { id } } }'",
        '"subscription { restoreJobProgress(jobId: 1) { status } }"',
    ],
)
def test_the_inline_graphql_check_catches_queries(inline: str) -> None:
    assert INLINE_GRAPHQL.search(inline)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_write_no_graphql_and_only_api_js_talks_to_the_server(path: Path) -> None:
    source = path.read_text()
    assert not INLINE_GRAPHQL.findall(source)
    if path.name != "api.js":
        assert "fetch(" not in source
        assert "WebSocket" not in source
        assert "XMLHttpRequest" not in source


def test_scripts_never_use_html_sinks_or_local_storage() -> None:
    """The CSP enforces Trusted Types; the key belongs in sessionStorage only."""
    for path in SCRIPTS:
        source = path.read_text()
        assert not SINKS.findall(source), path.name
        assert not re.search(r"\blocalStorage\s*(\.\w|\[)", source), path.name
