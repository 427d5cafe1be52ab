"""GET /downloads/<token>: a snapshot archive, streamed, resumable with Range."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from graphql_api.models import Cluster, Snapshot
from graphql_api.services.downloads import LinkError, resolve_link
from graphql_api.storage import ObjectNotFoundError, SnapshotStore

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _problem(status: int, detail: str) -> JSONResponse:
    code = "DOWNLOAD_LINK_INVALID" if status == 403 else "DOWNLOAD_LINK_GONE"
    return JSONResponse({"error": status, "errorCode": code, "detail": detail}, status)


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end exclusive) for one satisfiable range; None to serve it all;
    "unsatisfiable" for a well-formed range outside the object."""
    match = _RANGE.match((header or "").strip())
    if not match or not any(match.groups()):
        return None  # absent, malformed or multiple ranges: the whole object (RFC 9110 14.2)
    first, last = match.groups()
    if not first:  # suffix: the last N bytes
        length = int(last)
        return (max(0, size - length), size) if length > 0 and size > 0 else "unsatisfiable"
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


async def serve_download(request: Request) -> Response:
    state = request.app.state
    try:
        found = await resolve_link(request.path_params["token"], state.settings, state.clock())
    except LinkError as exc:
        return _problem(exc.status, exc.message)
    snapshot = found.snapshot
    store: SnapshotStore = state.stores[snapshot.storage_location]
    key = snapshot.storage_key or ""
    size = await store.size(key)
    if size is None:
        return _problem(410, "The snapshot's archive is no longer stored.")
    headers = await _headers(snapshot, size)
    wanted = parse_range(request.headers.get("range"), size)
    if request.headers.get("if-range", headers["ETag"]) != headers["ETag"]:
        wanted = None  # the client's copy is of another object: start over
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    status, start, end = 200, 0, size
    if isinstance(wanted, tuple):
        status, (start, end) = 206, wanted
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    return StreamingResponse(_stream(store, key, start, end), status_code=status, headers=headers)


async def _stream(store: SnapshotStore, key: str, start: int, end: int) -> AsyncIterator[bytes]:
    try:
        async for chunk in store.get(key, start, end):
            yield chunk
    except ObjectNotFoundError:  # deleted mid-stream: end the body short, never a 500
        return


async def _headers(snapshot: Snapshot, size: int) -> dict[str, str]:
    cluster = await Cluster.get_or_none(id=snapshot.cluster_id)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", cluster.name if cluster else snapshot.cluster_id)
    stamp = snapshot.scheduled_time.strftime("%Y%m%dT%H%M%SZ")
    digest = bytes.fromhex(snapshot.sha256 or "")
    return {
        "Content-Type": "application/gzip",
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.archive.gz"',
        "Accept-Ranges": "bytes",
        "ETag": f'"{snapshot.sha256}"',
        "Repr-Digest": f"sha-256=:{base64.b64encode(digest).decode()}:",
        "X-Checksum-SHA256": snapshot.sha256 or "",
        "Cache-Control": "private, no-store",
    }
