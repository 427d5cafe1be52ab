"""Schema-driven fuzzing with schemathesis in GraphQL mode.

schemathesis loads the schema by introspection from a real server on
loopback (tests/live_server.py: the seeded demo on SQLite, in both CI runs;
the PostgreSQL run exercises the database through the rest of the suite) and
generates queries and mutations for every root field, valid ones and
(negative mode) invalid ones. Mutations run too: the database is a throwaway.

With the demo Project Owner's key, no answer may be an HTTP 5xx or carry an
unexpected-error code (``INTERNAL_SERVER_ERROR``, see
graphql_api/schema/errors.py), nor a null in a non-null field, and the server
must log no unexpected error. With a random, malformed or missing key, every
answer is 401 and no data comes back.

Bounded so CI stays fast: a fixed number of examples per operation and a
wall-clock budget per test, after which the remaining examples are skipped.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS

from tests.fuzzing import run_examples
from tests.live_server import LiveServer, live_server

POSITIVE_EXAMPLES = 100  # per root field, valid operations
NEGATIVE_EXAMPLES = 15  # per root field, operations the schema must refuse
UNAUTHENTICATED_EXAMPLES = 25  # per key variant, across all root fields
BUDGET_SECONDS = 45  # per test; examples past it are skipped
REQUEST_TIMEOUT = 10

UNEXPECTED_CODES = {"INTERNAL_SERVER_ERROR"}


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


HOSTILE_CURSORS = [
    base64.urlsafe_b64encode(b"[" * 50_000).decode(),
    _cursor([None, None]),
    _cursor([1, 2]),
    _cursor(["x" * 70, "y" * 30]),
    _cursor(["2026-11-20T12:00:00", "0" * 24]),
    _cursor([{"a": 1}]),
    "!!!",
]
KNOWN_SHAPE = """{
  viewer {
    email
    organizations { nodes { id } }
    projects {
      nodes {
        id
        clusters(first: 100) { nodes { name snapshots(first: 3) { nodes { id status } } } }
      }
    }
  }
}"""


@dataclass
class Findings:
    deadline: float
    calls: int = 0
    skipped: int = 0
    problems: dict[str, str] = field(default_factory=dict)

    def out_of_time(self) -> bool:
        if time.monotonic() > self.deadline:
            self.skipped += 1
            return True
        return False

    def add(self, kind: str, detail: str) -> None:
        self.problems.setdefault(kind, detail)

    def report(self) -> str:
        return "\n\n".join(f"{kind}\n  {detail}" for kind, detail in self.problems.items())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fuzz")) as running:
        yield running


def _graphql(server: LiveServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        server.graphql_url,
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


@pytest.fixture(scope="module")
def known_values(server: LiveServer) -> Iterator[None]:
    """Ids and names that exist, so the generated operations reach past
    'malformed id' and 'not found' into the resolvers; mixed with random ones."""
    viewer = _graphql(server, KNOWN_SHAPE)["viewer"]
    names = ["flex-london", viewer["email"], "reader@demo.example", "org-owner@demo.example"]
    projects: list[str] = []
    completed: list[str] = []
    others: list[str] = []
    for project in viewer["projects"]["nodes"]:
        projects.append(project["id"])
        for cluster in project["clusters"]["nodes"]:
            names.append(cluster["name"])
            for snapshot in cluster["snapshots"]["nodes"]:
                done = snapshot["status"] == "COMPLETED"
                (completed if done else others).append(snapshot["id"])
    jobs: list[str] = []
    for snapshot_id in completed[:2]:  # download jobs, for backupJob and revokeDownload
        job = _graphql(
            server,
            "mutation($s: ID!) { downloadSnapshot(snapshotId: $s) { job { id } } }",
            {"s": snapshot_id},
        )["downloadSnapshot"]["job"]
        jobs.append(job["id"])
    orgs = [org["id"] for org in viewer["organizations"]["nodes"]]
    # Hypothesis favours the first entries: interleave the kinds of id.
    groups = zip_longest(projects * 3, completed, jobs * 3, others, orgs)
    ids = [i for group in groups for i in group if i is not None]
    text = st.text(st.characters(codec="utf-8"), max_size=30)
    # Strings a careless or hostile client sends: NUL bytes, strings longer than
    # any column, and cursors that are not ours (every connection takes them).
    hostile = st.one_of(
        st.sampled_from(HOSTILE_CURSORS),
        st.text(st.characters(codec="utf-8"), min_size=65, max_size=400),
        st.builds(lambda s: s + "\x00" + s, text),
    )
    saved = dict(CUSTOM_SCALARS)
    schemathesis.graphql.scalar(
        "ID",
        st.one_of(
            st.sampled_from(ids),
            st.from_regex(r"\A[0-9a-f]{24}\Z"),
            text,
        ).map(nodes.String),
    )
    schemathesis.graphql.scalar(
        "String", st.one_of(st.sampled_from(names), text, hostile).map(nodes.String)
    )
    try:
        yield
    finally:
        CUSTOM_SCALARS.clear()
        CUSTOM_SCALARS.update(saved)


@pytest.fixture(scope="module")
def api_schema(server: LiveServer, known_values: None) -> Any:
    return schemathesis.graphql.from_url(
        server.graphql_url,
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=REQUEST_TIMEOUT,
    )


def _operations(api_schema: Any) -> list[Any]:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    # The whole schema: every root query field and every mutation.
    assert {"Query.viewer", "Query.snapshot", "Mutation.restoreSnapshot"} <= labels, labels
    return operations


def _body(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _describe(case: Any, response: Any) -> str:
    answer = f"HTTP {response.status_code}: {response.text[:500]}"
    return f"{case.operation.label}: {case.body!r}\n  -> {answer}"


def _codes(body: dict[str, Any]) -> set[str | None]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


def test_fuzz_with_a_valid_key(server: LiveServer, api_schema: Any) -> None:
    findings = Findings(deadline=time.monotonic() + BUDGET_SECONDS)
    key = {"Authorization": f"Bearer {server.api_key}"}
    # Every other request asks for application/graphql-response+json, where a
    # request error is a 400 without `data` (see graphql_api/schema/view.py).
    accepts = [{}, {"Accept": "application/graphql-response+json, application/json;q=0.9"}]

    def check(case: Any) -> None:
        if findings.out_of_time():
            return
        findings.calls += 1
        accept = accepts[findings.calls % 2]
        response = case.call(headers={**key, **accept}, timeout=REQUEST_TIMEOUT)
        label = case.operation.label
        if response.status_code >= 500:
            findings.add(f"HTTP {response.status_code} on {label}", _describe(case, response))
            return
        body = _body(response)
        if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
            findings.add(f"not a GraphQL response on {label}", _describe(case, response))
            return
        if response.status_code == 413 and _codes(body) == {"BODY_TOO_LARGE"}:
            return  # a generated body past MAX_BODY_BYTES: the documented answer
        if response.status_code != 200 and not (accept and response.status_code == 400):
            findings.add(f"HTTP {response.status_code} on {label}", _describe(case, response))
        if response.status_code == 400 and "data" in body:
            findings.add(f"HTTP 400 with data on {label}", _describe(case, response))
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code in UNEXPECTED_CODES:
                findings.add(f"{code} on {label}", _describe(case, response))
            elif "Cannot return null for non-nullable field" in error.get("message", ""):
                findings.add(f"null in a non-null field on {label}", _describe(case, response))

    for operation in _operations(api_schema):
        run_examples(operation.as_strategy(GenerationMode.POSITIVE), POSITIVE_EXAMPLES, check)
        run_examples(operation.as_strategy(GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES, check)

    print(f"fuzz: {findings.calls} requests, {findings.skipped} examples skipped (time budget)")
    log = server.log()
    for marker in ("Traceback", "unexpected error"):
        if marker in log:
            at = log.index(marker)
            findings.add(f"server logged {marker!r}", log[max(0, at - 200) : at + 1500])
    assert not findings.problems, findings.report()
    assert findings.calls >= 100, "the time budget cut the fuzzing too short"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "random",
        "Bearer fbk_" + secrets.token_hex(12) + "_" + secrets.token_urlsafe(32),
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
    ],
    ids=["missing", "no-scheme", "unknown-key", "malformed-key", "basic"],
)
def test_fuzz_without_a_valid_key_returns_no_data(
    server: LiveServer, api_schema: Any, authorization: str | None
) -> None:
    findings = Findings(deadline=time.monotonic() + BUDGET_SECONDS / 3)
    headers = {} if authorization is None else {"Authorization": authorization}
    if authorization == "random":
        headers = {"Authorization": secrets.token_urlsafe(24)}

    def check(case: Any) -> None:
        if findings.out_of_time():
            return
        findings.calls += 1
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT)
        sent = response.request.headers.get("Authorization")
        assert sent == headers.get("Authorization"), sent
        body = _body(response)
        label = case.operation.label
        if response.status_code != 401:
            findings.add(f"HTTP {response.status_code} on {label}", _describe(case, response))
        if not isinstance(body, dict) or body.get("data") is not None:
            findings.add(f"data came back on {label}", _describe(case, response))
            return
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        if codes != {"UNAUTHENTICATED"}:
            findings.add(f"codes {codes} on {label}", _describe(case, response))

    strategy = st.one_of(
        *(operation.as_strategy(GenerationMode.POSITIVE) for operation in _operations(api_schema))
    )
    run_examples(strategy, UNAUTHENTICATED_EXAMPLES, check)
    assert not findings.problems, findings.report()
    assert findings.calls >= 10


RAW_BODIES = [
    b"null",
    b"true",
    b"5",
    b'"x"',
    b"[]",
    b'{"query": "{ viewer { email } }\xff\xfe"}',
    b'{"query": "query($v: String) { viewer { email } }", "variables": {"v": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}}",
    b'{"query": "{ viewer { email } }", "variables": "x"}',
    b'{"query": 5}',
]


def test_raw_bodies_are_answered_4xx_never_5xx(server: LiveServer) -> None:
    """Bodies no GraphQL client would send: bare JSON values, invalid UTF-8,
    variables nested 100k deep, then whatever bytes hypothesis makes up; each
    is a 4xx with a coded GraphQL error, and the connection stays usable."""
    findings = Findings(deadline=time.monotonic() + BUDGET_SECONDS / 3)
    headers = {"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"}
    with httpx.Client(timeout=REQUEST_TIMEOUT) as http:

        def check(body: bytes) -> None:
            if findings.out_of_time():
                return
            findings.calls += 1
            response = http.post(server.graphql_url, content=body, headers=headers)
            answer = f"{body[:80]!r} -> HTTP {response.status_code}: {response.text[:300]}"
            if response.status_code >= 500:
                findings.add(f"HTTP {response.status_code}", answer)
                return
            parsed = _body(response)
            if response.status_code >= 400:
                codes = {(e.get("extensions") or {}).get("code") for e in parsed["errors"]}
                if None in codes or not codes:
                    findings.add("4xx without a code", answer)

        for body in RAW_BODIES:
            check(body)

        @given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
        @settings(max_examples=150, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def arbitrary(body: bytes) -> None:
            check(body)

        arbitrary()
        alive = http.post(server.graphql_url, json={"query": "{ viewer { email } }"},
                          headers=headers)  # fmt: skip
        assert alive.status_code == 200
    assert "Traceback" not in server.log(), server.log()[-3000:]
    assert not findings.problems, findings.report()
    assert findings.calls >= len(RAW_BODIES)
