"""Path and query parameters: checked against the patterns of Atlas's document
before anything is looked up (a bad one is a 400, never a lookup)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request

from graphql_api.rest.errors import validation_error

ID_PATTERN = r"^([a-f0-9]{24})$"
NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9-]*$"

_ID = re.compile(ID_PATTERN)
_NAME = re.compile(NAME_PATTERN)

# Path parameter -> (pattern, Atlas's errorCode when it does not match).
PATH_PARAMETERS: dict[str, tuple[str, str]] = {
    "groupId": (ID_PATTERN, "INVALID_GROUP_ID"),
    "name": (NAME_PATTERN, "VALIDATION_ERROR"),
    "snapshotId": (ID_PATTERN, "VALIDATION_ERROR"),
    "restoreJobId": (ID_PATTERN, "VALIDATION_ERROR"),
}


def path_parameters(request: Request) -> dict[str, str]:
    """The path's parameters, each matching its pattern."""
    values: dict[str, str] = {}
    for name, value in request.path_params.items():
        pattern, code = PATH_PARAMETERS[name]
        if not re.fullmatch(pattern, value):
            shown = value[:80]
            if name == "groupId":
                raise validation_error(name, f"An invalid group ID {shown} was specified.", code)
            raise validation_error(name, f"{name} {shown!r} does not match {pattern}.", code)
        values[name] = value
    return values


def is_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.fullmatch(value))


def flag(request: Request, name: str, default: bool) -> bool:
    """A boolean query parameter: true or false."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise validation_error(name, f"{name} must be true or false, got {raw[:40]!r}.")


def integer(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within [low, high]."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    bounds = f"from {low}" + ("" if high is None else f" to {high}")
    if not re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
        raise validation_error(name, f"{name} must be an integer {bounds}, got {raw[:40]!r}.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise validation_error(name, f"{name} must be an integer {bounds}, got {value}.")
    return value


@dataclass(frozen=True, slots=True)
class Presentation:
    """``envelope`` and ``pretty``, accepted on every operation."""

    envelope: bool = False
    pretty: bool = False


def presentation(request: Request) -> Presentation:
    return Presentation(flag(request, "envelope", False), flag(request, "pretty", False))
