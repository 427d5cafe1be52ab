"""Reads ../shared/atlas/flex-openapi.md (facts from Atlas's OpenAPI document,
kept beside the repository and present in CI) into data the tests compare
with ours: operations, status codes, schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.conftest import ROOT

FACTS = ROOT.parent / "shared" / "atlas" / "flex-openapi.md"


@dataclass
class AtlasOperation:
    method: str
    path: str  # under /api/atlas/v2
    operation_id: str
    sdk_name: str
    role: str
    request: str | None
    status: int
    response: str | None
    errors: set[int] = field(default_factory=set)
    request_required: set[str] = field(default_factory=set)  # "(required: name)" in the table


@dataclass
class AtlasField:
    type: str | None  # JSON Schema type, None when the facts do not say
    enum: list[str] | None = None
    format: str | None = None
    access: str | None = None  # "RO" or "WO" when the facts mark the field itself


@dataclass
class AtlasSchema:
    fields: dict[str, AtlasField]
    required: set[str]


def _text() -> str:
    return FACTS.read_text(encoding="utf-8")


def operations() -> list[AtlasOperation]:
    text = _text()
    prefix = re.search(r"Paths below are under `([^`]+)`", text)
    assert prefix is not None
    base = prefix.group(1).removeprefix("/api/atlas/v2")
    found = []
    for row in re.finditer(
        r"^\| (GET|POST|PATCH|DELETE) \| ([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|$", text, re.M
    ):
        method, path, names, role, request, success = (c.strip() for c in row.groups())
        op_id, sdk = re.fullmatch(r"(\w+) \((\w+)\)", names).groups()  # type: ignore[union-attr]
        status, _, response = success.partition(" ")
        required = re.search(r"\(required: ([^)]*)\)", request)
        found.append(
            AtlasOperation(
                method, base + path, op_id, sdk, role,
                None if request == "-" else request.split(" ")[0],
                int(status), response if response.startswith(("Flex", "Paginated")) else None,
                request_required=set(re.findall(r"\w+", required.group(1))) if required else set(),
            )
        )  # fmt: skip
    _error_codes(text, found)
    return found


def _error_codes(text: str, ops: list[AtlasOperation]) -> None:
    """ "Error responses per op: 401 403 404 429 everywhere; 400 on all but X; ...\""""
    sentence = re.search(r"Error responses per op: (.*?)\. All request bodies", text, re.S)
    assert sentence is not None
    for clause in sentence.group(1).split(";"):
        clause = clause.strip()
        codes = [int(c) for c in re.findall(r"\b(\d{3})\b", clause.split(" on ")[0])]
        if clause.endswith("everywhere"):
            chosen = ops
        elif " on all but " in clause:
            chosen = [op for op in ops if not _named(op, clause.split(" on all but ")[1])]
        else:  # "402 on create, PATCH, tenantUpgrade"
            chosen = [op for op in ops if _named(op, clause.split(" on ")[1])]
        for op in chosen:
            op.errors.update(codes)


def _named(op: AtlasOperation, phrase: str) -> bool:
    """Whether an exception phrase names the operation."""
    if op.sdk_name in phrase or re.search(rf"\b{op.method}\b", phrase):
        return True
    if "restoreJobs GETs" in phrase and op.method == "GET" and "restoreJobs" in op.path:
        return True
    if "snapshot GETs" in phrase and op.method == "GET" and "snapshots" in op.path:
        return True
    return bool(re.search(r"\bcreate\b", phrase)) and op.sdk_name == "createFlexCluster"


def _field(descriptor: str) -> AtlasField | None:
    enum = re.search(r"enum \[([^\]]*)\]", descriptor)
    if enum:
        return AtlasField("string", [v.strip() for v in enum.group(1).split(",")])
    for needle, kind, fmt in (
        ("date-time", "string", "date-time"),
        ("array<", "array", None),
        ("bool", "boolean", None),
        ("int32", "integer", "int32"),
        ("number", "number", None),
        ("str", "string", None),
        ("24-hex", "string", None),
        ("name-pattern", "string", None),
    ):
        if needle in descriptor:
            return AtlasField(kind, format=fmt)
    if re.search(r"\b(Flex\w+|BadRequestDetail)\b", descriptor):
        return AtlasField("object")
    return None


def schemas() -> dict[str, AtlasSchema]:
    text = _text()
    section = text.split("## Schemas", 1)[1].split("\n## ", 1)[0]
    found: dict[str, AtlasSchema] = {}
    for match in re.finditer(
        r"\*\*(\w+)\*?\*\*\*?\s*(\((?:[^()]|\([^()]*\))*\))?:?(.*?)(?=\*\*\w+\*?\*\*|\n- |\Z)",
        section,
        re.S,
    ):
        name, paren, body = match.group(1), match.group(2) or "", match.group(3)
        required = set(re.findall(r"`(\w+)`\*", paren))
        fields: dict[str, AtlasField] = {}
        pending: list[str] = []
        for item in re.finditer(r"`(\w+)`([^`]*)", body):
            pending.append(item.group(1))
            parsed = _field(item.group(2))
            if parsed is None and re.fullmatch(r"[\s,]*", item.group(2)):
                continue  # "`a`, `b`, `c` date-time": the type comes after the last name
            access = re.match(r"\s*(RO|WO)\b", item.group(2))
            for pending_name in pending:
                fields[pending_name] = parsed or AtlasField(None)
                if access and len(pending) == 1:
                    fields[pending_name].access = access.group(1)
            pending = []
        if name == "Paginated":
            for paged in re.findall(r"Paginated\w+", paren):
                found[paged] = AtlasSchema(fields, required)
        else:
            found[name] = AtlasSchema(fields, required)
    errors = text.split("## Errors: ApiError", 1)[1].split("\n## ", 1)[0]
    head, _, body = errors.partition("\n")
    body = re.sub(r"\{[^{}]*(\{[^{}]*\})?[^{}]*\}", "", body)  # BadRequestDetail's own fields
    found["ApiError"] = AtlasSchema(
        {m.group(1): _field(m.group(2)) or AtlasField(None)
         for m in re.finditer(r"`(\w+)` ([^;`]*)", body.split(". Example")[0])},
        set(re.findall(r"`(\w+)`\*", head)),
    )  # fmt: skip
    return found


def parameters() -> dict[str, str]:
    """Path parameter -> pattern."""
    text = _text().split("## Parameters", 1)[1].split("\n## ", 1)[0]
    patterns: dict[str, str] = {}
    for names, pattern in re.findall(r"((?:`\w+`(?:, )?)+) \(path[^)]*\): string `([^`]+)`", text):
        for name in re.findall(r"`(\w+)`", names):
            patterns[name] = pattern
    return patterns
