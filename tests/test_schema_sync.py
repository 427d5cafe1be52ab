"""schema.graphql is what the code serves: regenerate with `make schema`."""

from graphql_api.schema import schema
from tests.conftest import ROOT


def test_checked_in_schema_matches_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == schema.as_str() + "\n", (
        "schema.graphql is stale: run `make schema` and commit it"
    )
