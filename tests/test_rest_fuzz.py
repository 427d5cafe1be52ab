"""schemathesis against the served OpenAPI document, with a valid key.

A real server on loopback (tests/live_server.py: the seeded demo) answers
operations generated from /api/atlas/v2/openapi.json, valid ones and
(negative mode) invalid ones. No answer may be a 5xx, and every answer must
conform to the document: a documented status, its media type, its schema.
The demo's project id and cluster names are mixed into the generated path
values so requests reach past "not found"; operations that end a cluster
(delete, tenantUpgrade) run after the others; tenantUpgrade and the restores
are given clusters of their own, so each operation's success does not depend
on what Hypothesis drew before it. Bounded by a time budget.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphql_api.domain.regions import CloudProvider, region_codes
from graphql_api.rest.media import MEDIA_TYPE
from tests.fuzzing import run_examples
from tests.live_server import LiveServer, live_server

POSITIVE_EXAMPLES = 40  # per operation
NEGATIVE_EXAMPLES = 10
BUDGET_SECONDS = 40
UPGRADED = "fuzz-upgraded"  # the cluster tenantUpgrade is given (see _known)
RESTORED = "fuzz-restored"  # the target createRestoreJob is given (see _known)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("rest-fuzz")) as running:
        yield running


def _known(server: LiveServer, document: dict[str, Any]) -> dict[str, list[str]]:
    """The demo's project, its Flex clusters, their snapshots and jobs."""
    headers = {"Authorization": f"Bearer {server.api_key}", "Accept": MEDIA_TYPE}
    api = f"{server.base_url}/api/atlas/v2"
    viewer = httpx.post(
        server.graphql_url,
        json={"query": "{ viewer { projects { nodes { id } } } }"},
        headers=headers | {"Accept": "application/json"},
    ).json()
    groups = [p["id"] for p in viewer["data"]["viewer"]["projects"]["nodes"]]
    names, snapshots, jobs = [], [], []
    source: dict[str, list[str]] = {}  # a cluster with snapshots, and those snapshots
    for group in groups:
        clusters = httpx.get(f"{api}/groups/{group}/flexClusters", headers=headers).json()
        for cluster in clusters["results"]:
            names.append(cluster["name"])
            base = f"{api}/groups/{group}/flexClusters/{cluster['name']}/backup"
            page = httpx.get(f"{base}/snapshots", headers=headers).json()["results"]
            snapshots += [s["id"] for s in page[:3]]
            if page and not source:
                completed = [s["id"] for s in page if s["status"] == "COMPLETED"][:3]
                source = {"name": [cluster["name"]], "snapshotId": completed} if completed else {}
            if page and not jobs:  # a download job, so restoreJobs/{id} finds one
                body = {"snapshotId": page[0]["id"]}
                sent = headers | {"Content-Type": MEDIA_TYPE}
                jobs.append(httpx.post(f"{base}/download", json=body, headers=sent).json()["id"])
            jobs += [
                j["id"]
                for j in httpx.get(f"{base}/restoreJobs", headers=headers).json()["results"][:3]
            ]
    # A cluster of the fuzz's own that only tenantUpgrade names: the demo's
    # clusters may all be deleted, restored into or protected by the operations
    # before it (which ones depends on what Hypothesis draws, and its draws move
    # with the constants in the code under test).
    # Likewise a restore target of its own, named with a source cluster and its
    # snapshots, so a restore succeeds whatever else was drawn before it.
    sent = headers | {"Content-Type": MEDIA_TYPE}
    for name in (UPGRADED, RESTORED):
        body = {
            "name": name,
            "providerSettings": {"backingProviderName": "AWS", "regionName": "US_EAST_1"},
        }
        created = httpx.post(f"{api}/groups/{groups[0]}/flexClusters", json=body, headers=sent)
        assert created.status_code == 201, created.text
    assert source, "the demo has no COMPLETED snapshot to restore"
    return {
        "groupId": groups,
        "name": names,
        "snapshotId": snapshots,
        "restoreJobId": jobs,
        "restoreSource": source["name"],
        "restoreSnapshotId": source["snapshotId"],
    }


def _with_known_values(document: dict[str, Any], known: dict[str, list[str]]) -> dict[str, Any]:
    """The document with each path parameter, and the bodies' snapshotId and
    target name, drawn from what exists (the responses are still checked
    against the served document)."""
    document = copy.deepcopy(document)
    for operations in document["paths"].values():
        for operation in operations.values():
            for param in operation["parameters"]:
                if param["in"] == "path" and known.get(param["name"]):
                    param["schema"] = {"type": "string", "enum": known[param["name"]]}
    schemas = document["components"]["schemas"]
    for name in ("FlexBackupRestoreJobCreate20241113", "FlexBackupSnapshotDownloadCreate20241113"):
        schemas[name]["properties"]["snapshotId"] = {"type": "string", "enum": known["snapshotId"]}
    schemas["FlexBackupRestoreJobCreate20241113"]["properties"]["targetDeploymentItemName"] = {
        "type": "string",
        "enum": known["name"],
    }
    # New clusters in real regions, so createFlexCluster gets past UNKNOWN_REGION.
    settings = schemas["FlexProviderSettingsCreate20241113"]["properties"]
    settings["backingProviderName"] = {"type": "string", "enum": ["AWS"]}
    settings["regionName"] = {"type": "string", "enum": list(region_codes(CloudProvider.AWS))}
    schemas["AtlasTenantClusterUpgradeRequest20240805"]["properties"]["name"] = {
        "type": "string",
        "enum": [UPGRADED],
    }
    # createRestoreJob: the source cluster in the path, its snapshots and the
    # fuzz's own target in the body (the first success makes the rest 409s).
    restore = next(
        ops["post"] for path, ops in document["paths"].items()
        if path.endswith("/backup/restoreJobs") and "post" in ops
    )  # fmt: skip
    for param in restore["parameters"]:
        if param["name"] == "name":
            param["schema"] = {"type": "string", "enum": known["restoreSource"]}
    body = copy.deepcopy(schemas["FlexBackupRestoreJobCreate20241113"])
    body["properties"]["snapshotId"] = {"type": "string", "enum": known["restoreSnapshotId"]}
    body["properties"]["targetDeploymentItemName"] = {"type": "string", "enum": [RESTORED]}
    body["properties"]["targetProjectId"] = {"type": "string", "enum": known["groupId"][:1]}
    for media in restore["requestBody"]["content"].values():
        media["schema"] = body
    return document


def _ending_last(operation: Any) -> bool:
    """Deleting and upgrading end the demo's clusters: they run after the
    operations that need them."""
    return operation.method.upper() == "DELETE" or operation.path.endswith(":tenantUpgrade")


def test_fuzz_rest_api_with_a_valid_key(server: LiveServer) -> None:
    document = httpx.get(f"{server.base_url}/api/atlas/v2/openapi.json").json()
    served = schemathesis.openapi.from_dict(document)
    known = schemathesis.openapi.from_dict(_with_known_values(document, _known(server, document)))
    headers = {"Authorization": f"Bearer {server.api_key}", "Accept": MEDIA_TYPE}
    # The first pass (known values, every operation) runs whole; the time
    # budget bounds the passes after it.
    deadline = float("inf")
    calls = 0
    statuses: Counter[int] = Counter()
    answered: dict[str, set[int]] = {}
    problems: dict[str, str] = {}

    def check(case: Any) -> None:
        nonlocal calls
        if time.monotonic() > deadline:
            return
        calls += 1
        # envelope=true wraps bodies (documented); the shapes checked are unwrapped.
        if case.query:
            case.query.pop("envelope", None)
        # Negative cases may drop the key on purpose (a 401, documented).
        case.headers = {
            k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
        }
        response = case.call(base_url=server.base_url, headers=headers, timeout=10)
        statuses[response.status_code] += 1
        answered.setdefault(case.operation.label, set()).add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as failure:
            label = f"{case.operation.label} -> {response.status_code}"
            problems.setdefault(label, f"{str(failure)[:800]}\n{response.text[:400]}")

    runs = [
        (known, GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
        (served, GenerationMode.POSITIVE, POSITIVE_EXAMPLES // 2),
        (served, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
    ]
    for schema, mode, examples in runs:
        operations = sorted((r.ok() for r in schema.get_all_operations()), key=_ending_last)
        for operation in operations:
            run_examples(operation.as_strategy(mode), examples, check)
        if deadline == float("inf"):
            deadline = time.monotonic() + BUDGET_SECONDS

    print(f"rest fuzz: {calls} requests, statuses {sorted(statuses.items())}")
    log = server.log()
    if "Traceback" in log:
        at = log.index("Traceback")
        problems["server logged a Traceback"] = log[max(0, at - 200) : at + 1500]
    assert not problems, "\n\n".join(f"{k}\n  {v}" for k, v in problems.items())
    assert calls >= 100, "the time budget cut the fuzzing too short"
    # Every operation was called, and each answered its success at least once
    # (the writes included: creating, changing, upgrading, deleting clusters).
    labels = {r.ok().label for r in served.get_all_operations()}
    assert set(answered) == labels
    succeeded = {label for label, codes in answered.items() if codes & {200, 201, 204}}
    assert succeeded == labels, {label: answered[label] for label in labels - succeeded}
