"""The versioned media type: what requests may send and what responses carry.

Atlas answers only the resource version a client names in ``Accept``
(``application/vnd.atlas.<date>+json``); a missing, unversioned or unknown
version is refused with 406 INVALID_VERSION_DATE, as Atlas does. A request
body is read as the same version (415 for any other media type).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from graphql_api.rest.errors import ApiError

VERSION = "2024-11-13"
MEDIA_TYPE = f"application/vnd.atlas.{VERSION}+json"
ERROR_MEDIA_TYPE = "application/json"  # ApiError bodies, as in Atlas's document

INVALID_VERSION = "Invalid accept header or version date."


def _media_ranges(header: str) -> list[tuple[str, float]]:
    """Each media range of an Accept header with its quality."""
    ranges = []
    for part in header.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind:
            ranges.append((kind.lower(), quality))
    return ranges


def check_accept(request: Request) -> None:
    """406 unless the client accepts this version."""
    header = request.headers.get("accept", "")
    if not any(kind == MEDIA_TYPE and q > 0 for kind, q in _media_ranges(header)):
        raise ApiError(
            406,
            "INVALID_VERSION_DATE",
            f"{INVALID_VERSION} This API serves {MEDIA_TYPE}; send it in the Accept header.",
        )


async def read_body(request: Request) -> dict[str, Any]:
    """The JSON object a request sends: 415 for another media type, 400 for
    anything that is not a JSON object."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind not in (MEDIA_TYPE, "application/json"):
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Request bodies must be {MEDIA_TYPE} (got {kind or 'no Content-Type'!r}).",
        )
    raw = await request.body()
    try:  # orjson also refuses half a character ("\ud800"), which nothing can store
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(
            400,
            "MALFORMED_REQUEST_BODY",
            "The request body is not valid JSON (UTF-8, whole characters, not nested too deep).",
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, "MALFORMED_REQUEST_BODY", "The request body must be a JSON object.")
    return body


def render(
    status: int,
    body: dict[str, Any],
    *,
    pretty: bool = False,
    envelope: bool = False,
    media_type: str = MEDIA_TYPE,
    headers: dict[str, str] | None = None,
) -> Response:
    """The response; ``envelope`` puts the status in the body for clients that
    cannot read it (a list gains ``status``, anything else is wrapped in
    ``content``), ``pretty`` indents."""
    if envelope:
        body = (
            {**body, "status": status} if "results" in body else {"status": status, "content": body}
        )
    text = json.dumps(body, indent=2 if pretty else None, separators=None if pretty else (",", ":"))
    return Response(text, status_code=status, media_type=media_type, headers=headers)
