"""The served OpenAPI document against the facts of Atlas's own
(../shared/atlas/flex-openapi.md), for every operation this server serves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.rest.operations import OPERATIONS, PREFIX
from tests import atlas_facts

# Statuses this server answers beyond Atlas's list (see README, REST API):
# listFlexClusters checks its page parameters; any operation can fault (500).
ADDED = {"listFlexClusters": {400}, "updateFlexCluster": {500}}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _schema(document: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    ref = ref_or_schema.get("$ref")
    if ref is None:
        return ref_or_schema
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


async def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises on any violation of the OpenAPI 3.0 schema


def test_facts_parse() -> None:
    """The reader finds what the facts file holds (else the checks below say little)."""
    ops = atlas_facts.operations()
    assert len(ops) == 12
    schemas = atlas_facts.schemas()
    assert {"FlexClusterDescription20241113", "FlexBackupSnapshot20241113",
            "FlexBackupRestoreJob20241113", "ApiError"} <= set(schemas)  # fmt: skip
    assert len(schemas["FlexBackupRestoreJob20241113"].fields) == 14


async def test_served_operations_match_atlas(document: dict[str, Any]) -> None:
    served = {op.sdk_name for op in OPERATIONS}
    atlas = {op.sdk_name: op for op in atlas_facts.operations()}
    assert served == set(atlas)
    assert len(document["paths"]) == len({op.path for op in atlas.values()})
    for sdk_name in served:
        fact = atlas[sdk_name]
        mine = document["paths"][PREFIX + fact.path][fact.method.lower()]
        assert mine["operationId"] == fact.operation_id
        assert mine["x-xgen-operation-id-override"] == sdk_name
        assert mine["x-rolesRequirements"] == [fact.role], sdk_name
        codes = {int(c) for c in mine["responses"]}
        assert fact.status in codes, sdk_name
        assert fact.errors <= codes, (sdk_name, fact.errors - codes)
        assert codes - fact.errors - {fact.status} <= {406, 415} | ADDED.get(sdk_name, set())
        success = mine["responses"][str(fact.status)]
        if fact.response is None:  # deleteFlexCluster: 204, no body
            assert "content" not in success, sdk_name
        else:
            assert list(success["content"]) == [MEDIA_TYPE]
            schema = success["content"][MEDIA_TYPE]["schema"]
            assert schema["$ref"].endswith("/" + fact.response)
        assert set(success["headers"]) == {"RateLimit-Limit", "RateLimit-Remaining"}
        assert set(mine["responses"]["429"]["headers"]) == {"Retry-After"}
        if fact.request is None:
            assert "requestBody" not in mine
        else:
            body = mine["requestBody"]
            assert body["required"] is True
            assert body["content"][MEDIA_TYPE]["schema"]["$ref"].endswith("/" + fact.request)
            request = _schema(document, body["content"][MEDIA_TYPE]["schema"])
            assert fact.request_required <= set(request.get("required", [])), sdk_name


async def test_security_offers_atlas_digest(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["DigestAuth"] == {
        "type": "http", "scheme": "digest",
        "description": "An API key pair: public key as user, private key as password.",
    }  # fmt: skip
    assert {"DigestAuth": []} in document["security"]


async def test_parameters_match_atlas(document: dict[str, Any]) -> None:
    patterns = atlas_facts.parameters()
    for op in OPERATIONS:
        params = {
            p["name"]: p
            for p in document["paths"][PREFIX + op.path][op.method.lower()]["parameters"]
        }
        for name, pattern in patterns.items():
            if "{" + name + "}" in op.path:
                assert params[name]["in"] == "path" and params[name]["schema"]["pattern"] == pattern
        assert params["envelope"]["schema"] == {"type": "boolean", "default": False}
        assert ("pretty" in params) is (op.sdk_name != "getFlexBackupSnapshot")
        if op.paginated:
            assert params["itemsPerPage"]["schema"] | {} == {
                "type": "integer", "default": 100, "minimum": 1, "maximum": 500,
            }  # fmt: skip
            assert params["pageNum"]["schema"]["default"] == 1
            assert params["pageNum"]["schema"]["minimum"] == 1
            assert params["includeCount"]["schema"] == {"type": "boolean", "default": True}
        else:
            assert not {"itemsPerPage", "pageNum", "includeCount"} & set(params)


async def test_schemas_match_atlas(document: dict[str, Any]) -> None:
    facts = atlas_facts.schemas()
    mine = document["components"]["schemas"]
    checked = [name for name in facts if name in mine]
    assert {"FlexClusterDescription20241113", "FlexBackupSnapshot20241113",
            "FlexBackupRestoreJob20241113", "FlexBackupRestoreJobCreate20241113",
            "FlexBackupSnapshotDownloadCreate20241113", "PaginatedFlexClusters20241113",
            "FlexClusterDescriptionCreate20241113", "FlexClusterDescriptionUpdate20241113",
            "FlexProviderSettingsCreate20241113", "ResourceTag",
            "ApiError"} <= set(checked)  # fmt: skip
    for name in checked:
        fact, schema = facts[name], mine[name]
        assert set(schema.get("required", [])) == fact.required, name
        for field, spec in fact.fields.items():
            assert field in schema["properties"], (name, field)
            prop = _schema(document, schema["properties"][field])
            if spec.type is not None:
                assert prop.get("type") == spec.type, (name, field)
            if spec.enum is not None:
                assert prop["enum"] == spec.enum, (name, field)
            if spec.format is not None:
                assert prop.get("format") == spec.format, (name, field)
            own = schema["properties"][field]
            if spec.access == "RO":
                assert own.get("readOnly") is True or prop.get("readOnly") is True, (name, field)
            if spec.access == "WO":
                assert own.get("writeOnly") is True, (name, field)
