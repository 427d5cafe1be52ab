"""GET /downloads/<token>: the bytes, resumable with Range, and every way a link stops."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import Snapshot
from graphql_api.web.downloads import parse_range
from tests.conftest import NOW, GraphQLClient, World
from tests.test_restores import CREATED, DOWNLOAD, _snapshot, engine


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 100)),
        ("bytes=100-", (100, 1000)),
        ("bytes=-100", (900, 1000)),
        ("bytes=-5000", (0, 1000)),
        ("bytes=990-5000", (990, 1000)),
        ("bytes=999-999", (999, 1000)),
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=1000-1200", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=50-10", "unsatisfiable"),
        ("bytes=0-1,5-9", None),  # several ranges: the whole object, never multipart
        ("items=0-9", None),
        ("bytes=abc", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header: str | None, expected: object) -> None:
    assert parse_range(header, 1000) == expected


@pytest.fixture
async def link(gql: GraphQLClient, world: World) -> tuple[str, Snapshot, bytes]:
    """A fresh link to a real snapshot, and the bytes it must serve."""
    project = await world.project()
    snapshot = await _snapshot(world, project)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    job = (await gql(DOWNLOAD, owner, {"id": snapshot.id}))["data"]["downloadSnapshot"]["job"]
    url = job["snapshotUrl"].removeprefix("http://testserver")
    whole = await _get(url)
    assert whole.status_code == 200
    return url, snapshot, whole.content


async def _get(url: str, clock_offset: timedelta = timedelta(0), **headers: str) -> httpx.Response:
    app = create_app(manage_orm=False, clock=lambda: NOW + clock_offset)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return await c.get(url, headers=headers)


async def test_whole_archive_has_its_size_name_and_digest(
    link: tuple[str, Snapshot, bytes],
) -> None:
    url, snapshot, body = link
    response = await _get(url)
    assert hashlib.sha256(body).hexdigest() == snapshot.sha256
    assert int(response.headers["content-length"]) == len(body) == snapshot.size_bytes
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["x-checksum-sha256"] == snapshot.sha256
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    stamp = snapshot.scheduled_time.strftime("%Y%m%dT%H%M%SZ")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="source-{stamp}.archive.gz"'


@pytest.mark.parametrize(
    ("header", "piece"),
    [("bytes=0-9", slice(0, 10)), ("bytes=10-", slice(10, None)), ("bytes=-7", slice(-7, None))],
)
async def test_range_serves_the_part_asked_for(
    link: tuple[str, Snapshot, bytes], header: str, piece: slice
) -> None:
    url, _, body = link
    response = await _get(url, range=header)
    assert response.status_code == 206
    assert response.content == body[piece]
    first, stop, _ = piece.indices(len(body))
    expected = f"bytes {first}-{stop - 1}/{len(body)}"
    assert response.headers["content-range"] == expected
    assert int(response.headers["content-length"]) == len(body[piece])


async def test_resuming_a_cut_download_rebuilds_the_archive(
    link: tuple[str, Snapshot, bytes],
) -> None:
    url, snapshot, body = link
    half = len(body) // 2
    first = (await _get(url, range=f"bytes=0-{half - 1}")).content
    rest = await _get(url, range=f"bytes={half}-", **{"if-range": f'"{snapshot.sha256}"'})
    assert rest.status_code == 206
    assert hashlib.sha256(first + rest.content).hexdigest() == snapshot.sha256


async def test_range_with_a_stale_if_range_gets_the_whole_archive(
    link: tuple[str, Snapshot, bytes],
) -> None:
    url, _, body = link
    response = await _get(url, range="bytes=0-9", **{"if-range": '"another-version"'})
    assert response.status_code == 200 and response.content == body


async def test_range_past_the_end_is_416_with_the_size(link: tuple[str, Snapshot, bytes]) -> None:
    url, _, body = link
    response = await _get(url, range=f"bytes={len(body)}-")
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(body)}"


async def test_several_ranges_get_the_whole_archive(link: tuple[str, Snapshot, bytes]) -> None:
    url, _, body = link
    response = await _get(url, range="bytes=0-1,5-9")
    assert response.status_code == 200 and response.content == body


async def test_head_tells_the_size_without_a_body(link: tuple[str, Snapshot, bytes]) -> None:
    url, _, body = link
    app = create_app(manage_orm=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.head(url)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(body)
    assert response.content == b""


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "../../etc/passwd",
        lambda token: "",
    ],
)
async def test_tampered_link_is_403_and_says_so(link: tuple[str, Snapshot, bytes], tamper) -> None:
    url, snapshot, _ = link
    token = url.removeprefix("/downloads/")
    response = await _get(f"/downloads/{tamper(token)}")
    assert response.status_code in (403, 404)  # an empty token is no download route at all
    if response.status_code == 403:
        assert response.json()["errorCode"] == "DOWNLOAD_LINK_INVALID"
    assert snapshot.storage_key not in response.text


async def test_expired_link_is_410(link: tuple[str, Snapshot, bytes]) -> None:
    url, _, _ = link
    response = await _get(url, clock_offset=timedelta(hours=4))
    assert response.status_code == 410
    assert response.json()["errorCode"] == "DOWNLOAD_LINK_GONE"
    assert "expired" in response.json()["detail"]
    assert (await _get(url, clock_offset=timedelta(hours=4) - timedelta(seconds=1))).is_success


async def test_link_to_a_snapshot_removed_by_retention_is_410(
    link: tuple[str, Snapshot, bytes],
) -> None:
    url, snapshot, _ = link
    scheduler = engine()
    for day in range(2, 10):  # eight more daily snapshots push the first one out
        await scheduler.tick(CREATED + timedelta(days=day))
    assert await Snapshot.get_or_none(id=snapshot.id) is None
    response = await _get(url)
    assert response.status_code == 410
    assert "retention" in response.json()["detail"]


async def test_archive_lost_from_storage_is_410_not_500(
    link: tuple[str, Snapshot, bytes],
) -> None:
    url, snapshot, _ = link
    await engine().stores[snapshot.storage_location].delete(snapshot.storage_key or "")
    response = await _get(url)
    assert response.status_code == 410
