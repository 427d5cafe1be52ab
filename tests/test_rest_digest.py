"""HTTP Digest with API key pairs, checked with httpx.DigestAuth (an
independent RFC 7616 client): accepted on every operation of the route
table, replays refused, expired nonces refused as stale, revocation at the
next request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import ApiKeyPair, DigestNonceUse
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.services.authentication import load_principal
from graphql_api.services.key_pairs import issue_key_pair, revoke_api_key_pair
from graphql_api.settings import Settings
from tests.conftest import NOW, World
from tests.live_server import run_cli
from tests.rest_client import API


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(rate_limit_per_minute=1000), manage_orm=False, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Accept": MEDIA_TYPE}
    ) as c:
        yield c


async def _reader_pair(world: World) -> tuple[str, str, str]:
    project = await world.project()
    actor = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    issued = await issue_key_pair(actor.user)
    return project.id, issued.public_key, issued.private_key


async def test_digest_key_pair_is_accepted_and_only_its_ha1_is_stored(
    http: httpx.AsyncClient, world: World
) -> None:
    group, public, private = await _reader_pair(world)
    auth = httpx.DigestAuth(public, private)
    first = await http.get(f"{API}/groups/{group}/flexClusters", auth=auth)
    assert first.status_code == 200, first.text
    # httpx reuses the nonce with the next nc: accepted too.
    second = await http.get(f"{API}/groups/{group}/flexClusters?pageNum=1", auth=auth)
    assert second.status_code == 200
    assert second.headers["ratelimit-remaining"] == "998"  # the pair has a key's budget
    stored = await ApiKeyPair.get(public_key=public)
    assert private not in str(vars(stored))
    wrong = await http.get(f"{API}/groups/{group}/flexClusters", auth=httpx.DigestAuth(public, "x"))
    assert wrong.status_code == 401
    assert wrong.json()["errorCode"] == "UNAUTHORIZED"


async def test_a_401_challenges_digest_first_as_atlas_clients_read_it(
    http: httpx.AsyncClient, world: World
) -> None:
    group, _, _ = await _reader_pair(world)
    response = await http.get(f"{API}/groups/{group}/flexClusters")
    assert response.status_code == 401
    [digest, bearer] = response.headers.get_list("www-authenticate")
    assert digest.startswith('Digest realm="flex-backup", nonce="')
    assert digest.endswith('", qop="auth", algorithm=SHA-256')
    assert bearer.startswith("Bearer ")


async def test_a_replayed_digest_is_refused(http: httpx.AsyncClient, world: World) -> None:
    group, public, private = await _reader_pair(world)
    url = f"{API}/groups/{group}/flexClusters"
    done = await http.get(url, auth=httpx.DigestAuth(public, private))
    assert done.status_code == 200
    header = done.request.headers["authorization"]
    replay = await http.get(url, headers={"Authorization": header})
    assert replay.status_code == 401
    assert "stale=true" not in replay.headers["www-authenticate"]
    # Another URI with the same credentials is refused too.
    other = await http.get(url + "?pageNum=2", headers={"Authorization": header})
    assert other.status_code == 401


async def test_an_expired_nonce_is_refused_as_stale(
    http: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    group, public, private = await _reader_pair(world)
    url = f"{API}/groups/{group}/flexClusters"
    seen: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        seen.append(response)

    http.event_hooks["response"] = [record]
    auth = httpx.DigestAuth(public, private)
    assert (await http.get(url, auth=auth)).status_code == 200
    clock.now = NOW + timedelta(minutes=6)  # past DIGEST_NONCE_TTL_SECONDS (300)
    seen.clear()
    again = await http.get(url, auth=auth)  # httpx first answers the old challenge
    assert [r.status_code for r in seen] == [401, 200]
    stale = seen[0].headers.get_list("www-authenticate")[0]
    assert "stale=true" in stale
    assert again.status_code == 200
    # Uses of expired nonces are dropped as new ones are recorded.
    assert await DigestNonceUse.filter(expires_at__lt=clock.now).count() == 0


async def test_a_revoked_pair_stops_at_once_with_its_download_links(
    http: httpx.AsyncClient, world: World
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    cluster = await world.cluster(project, "c")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    issued = await issue_key_pair(owner.user)
    auth = httpx.DigestAuth(issued.public_key, issued.private_key)
    job = await http.post(
        f"{API}/groups/{project.id}/flexClusters/c/backup/download",
        json={"snapshotId": snapshot.id},
        headers={"Content-Type": MEDIA_TYPE},
        auth=auth,
    )
    assert job.status_code == 200, job.text
    link = job.json()["snapshotUrl"]
    await revoke_api_key_pair(await load_principal(owner.user), issued.pair.id, NOW)
    after = await http.get(f"{API}/groups/{project.id}/flexClusters", auth=auth)
    assert after.status_code == 401
    assert (await http.get(link)).status_code == 410


def test_cli_issues_a_key_pair(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}",
        "SNAPSHOT_ROOT": str(tmp_path / "snapshots"),
    }
    assert run_cli(env, "migrate").returncode == 0
    assert run_cli(env, "create-user", "--email", "a@example.com", "--name", "A").returncode == 0
    done = run_cli(env, "create-api-key-pair", "--email", "a@example.com")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines())
    assert len(lines["public key"].strip()) == 8
    assert len(lines["private key"].strip()) == 36
    assert "not shown again" in done.stderr
    missing = run_cli(env, "create-api-key-pair", "--email", "nobody@example.com")
    assert missing.returncode != 0 and "NOT_FOUND" in missing.stderr


async def test_the_header_atlas_go_clients_write_is_accepted(
    http: httpx.AsyncClient, world: World
) -> None:
    """mongodb-forks/digest (Atlas Go SDK, CLI, Terraform): reads the first
    WWW-Authenticate value, splits it on ", ", and answers with a quoted
    algorithm and bare qop and nc; computed here from RFC 7616 directly."""
    import hashlib
    import re

    group, public, private = await _reader_pair(world)
    uri = f"{API}/groups/{group}/flexClusters?itemsPerPage=5"
    first = await http.get(uri)
    challenge = first.headers.get_list("www-authenticate")[0]
    fields = dict(part.split("=", 1) for part in challenge.removeprefix("Digest ").split(", "))
    nonce, algorithm = fields["nonce"].strip('"'), fields["algorithm"].strip('"')
    assert fields["qop"].strip('"') == "auth" and algorithm == "SHA-256"

    def h(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    cnonce = "0123456789abcdef"
    ha1, ha2 = h(f"{public}:flex-backup:{private}"), h(f"GET:{uri}")
    response = h(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
    header = (
        f'Digest username="{public}", realm="flex-backup", nonce="{nonce}", uri="{uri}", '
        f'response="{response}", algorithm="{algorithm}", qop=auth, nc=00000001, '
        f'cnonce="{cnonce}"'
    )
    answer = await http.get(uri, headers={"Authorization": header})
    assert answer.status_code == 200, answer.text
    assert re.fullmatch(r"[0-9a-f]{56}", nonce)


async def test_digest_drives_every_operation(http: httpx.AsyncClient, world: World) -> None:
    """An Atlas client's key pair, through each of the route table's operations."""
    from graphql_api.rest.operations import OPERATIONS

    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    source = await world.cluster(project, "source")
    await world.cluster(project, "target")
    await world.cluster(project, "grows")
    snapshot = (await world.completed_snapshots(source, 3))[-1]
    issued = await issue_key_pair(owner.user)
    auth = httpx.DigestAuth(issued.public_key, issued.private_key)
    group = f"{API}/groups/{project.id}"
    backup = f"{group}/flexClusters/source/backup"
    driven: list[tuple[str, str]] = []

    async def call(method: str, template: str, url: str, body: object = None) -> httpx.Response:
        sent = {"Content-Type": MEDIA_TYPE} if body is not None else {}
        response = await http.request(method, url, json=body, headers=sent, auth=auth)
        assert response.status_code in (200, 201, 204), (method, url, response.text)
        assert response.headers["ratelimit-limit"] == "1000"
        driven.append((method, template))
        return response

    g, c = "/groups/{groupId}", "/groups/{groupId}/flexClusters/{name}"
    await call("GET", g + "/flexClusters", f"{group}/flexClusters")
    created = await call(
        "POST", g + "/flexClusters", f"{group}/flexClusters",
        {"name": "made", "providerSettings": {"backingProviderName": "GCP",
                                              "regionName": "europe-west3"}},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["stateName"] == "CREATING"
    await call("GET", c, f"{group}/flexClusters/made")
    patched = await call(
        "PATCH", c, f"{group}/flexClusters/made", {"tags": [{"key": "k", "value": "v"}]}
    )
    assert patched.json()["tags"] == [{"key": "k", "value": "v"}]
    await call("GET", c + "/backup/snapshots", f"{backup}/snapshots")
    await call("GET", c + "/backup/snapshots/{snapshotId}", f"{backup}/snapshots/{snapshot.id}")
    download = await call(
        "POST", c + "/backup/download", f"{backup}/download", {"snapshotId": snapshot.id}
    )
    assert download.json()["snapshotUrl"]
    await call("GET", c + "/backup/restoreJobs", f"{backup}/restoreJobs")
    restore = await call(
        "POST", c + "/backup/restoreJobs", f"{backup}/restoreJobs",
        {"snapshotId": snapshot.id, "targetDeploymentItemName": "target"},
    )  # fmt: skip
    job = restore.json()["id"]
    await call("GET", c + "/backup/restoreJobs/{restoreJobId}", f"{backup}/restoreJobs/{job}")
    upgraded = await call(
        "POST", g + "/flexClusters:tenantUpgrade", f"{group}/flexClusters:tenantUpgrade",
        {"name": "grows"},
    )  # fmt: skip
    assert upgraded.json()["name"] == "grows"
    deleted = await call("DELETE", c, f"{group}/flexClusters/made")
    assert deleted.status_code == 204

    assert sorted(driven) == sorted((op.method, op.path) for op in OPERATIONS)
