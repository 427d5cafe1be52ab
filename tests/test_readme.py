"""The README's REST section kept in step with the code: a curl example for
each operation of the route table, as an Atlas client sends it, and every
error code the REST API answers in its table."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from graphql_api.rest import errors
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.rest.operations import OPERATIONS, PREFIX
from graphql_api.rest.params import PATH_PARAMETERS
from tests.conftest import ROOT

README = ROOT / "README.md"
REST_SOURCES = sorted((ROOT / "graphql_api" / "rest").glob("*.py"))
# Codes the lifecycle use cases raise that REST passes on as they are
# (tests/test_rest_clusters.py answers each).
LIFECYCLE_CODES = {
    "INVALID_CLUSTER_NAME",
    "UNKNOWN_REGION",
    "INVALID_TAGS",
    "TERMINATION_PROTECTION_ENABLED",
    "RESTORE_IN_PROGRESS",
}


def _rest_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## REST API (Atlas-compatible)", 1)[1].split("\n## ", 1)[0]


@dataclass
class Curl:
    method: str
    path: str  # under PREFIX, as written ($G for the group...)
    words: list[str]


def _curls(section: str) -> list[Curl]:
    """Each curl command of the section's shell blocks, continuation lines joined."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.strip().startswith("curl"):
                continue
            words = shlex.split(line.split(" #", 1)[0])
            method = "GET"
            if "-X" in words:
                method = words[words.index("-X") + 1]
            elif "-d" in words:
                method = "POST"
            url = next((w for w in words if w.startswith("$API/")), None)
            if url is not None:
                found.append(Curl(method, url.removeprefix("$API").split("?")[0], words))
    return found


def _matches(template: str, written: str) -> bool:
    pattern = re.escape(template)
    for name in PATH_PARAMETERS:
        pattern = pattern.replace(re.escape("{" + name + "}"), r"[^/:]+")
    return re.fullmatch(pattern, written) is not None


def test_every_operation_has_a_digest_curl_example() -> None:
    curls = _curls(_rest_section())
    missing = []
    for op in OPERATIONS:
        examples = [c for c in curls if c.method == op.method and _matches(op.path, c.path)]
        if not examples:
            missing.append(f"{op.sdk_name}: {op.method} {PREFIX}{op.path}")
            continue
        for example in examples:
            words = example.words
            assert "--digest" in words and words[words.index("--user") + 1] == "$PUBLIC:$PRIVATE"
            assert f"Accept: {MEDIA_TYPE}" in words, op.sdk_name
            if op.request is not None:
                assert f"Content-Type: {MEDIA_TYPE}" in words, op.sdk_name
    assert not missing, "README has no curl example for:\n" + "\n".join(missing)


def test_the_curl_reader_finds_what_is_written() -> None:
    """The check above would pass on a reader that finds nothing in a fence."""
    section = (
        "```sh\ncurl --digest --user \"$PUBLIC:$PRIVATE\" -H 'Accept: x' \\\n"
        '  -X DELETE "$API/groups/$G/flexClusters/orders"  # gone\n```\n'
    )
    [curl] = _curls(section)
    assert (curl.method, curl.path) == ("DELETE", "/groups/$G/flexClusters/orders")
    delete = next(op for op in OPERATIONS if op.method == "DELETE")
    assert _matches(delete.path, curl.path)
    assert not _matches(delete.path, "/groups/$G/flexClusters/orders/backup")


def _codes_rest_answers() -> set[str]:
    codes = {code for _, code in errors.REFUSALS.values()}
    codes |= {code for _, _, code in errors._BY_CLASS}
    codes |= {code for _, code in PATH_PARAMETERS.values()}
    for source in REST_SOURCES:
        text = source.read_text(encoding="utf-8")
        codes |= set(re.findall(r"ApiError\(\s*\d{3},\s*\"([A-Z_]+)\"", text))
        codes |= set(re.findall(r"validation_error\([^()]*\"([A-Z_]+)\"\)", text))
    return codes | LIFECYCLE_CODES


def test_every_rest_error_code_is_in_the_readme_table() -> None:
    section = _rest_section()
    table = set(re.findall(r"^\| \d{3} \| `([A-Z_]+)` \|", section, re.M))
    answered = _codes_rest_answers()
    expected = {"GROUP_NOT_FOUND", "CLUSTER_NOT_FOUND", "DUPLICATE_CLUSTER_NAME",
                "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API", "METHOD_NOT_ALLOWED"}  # fmt: skip
    assert expected <= answered  # the reader finds codes at all
    assert not answered - table, sorted(answered - table)
