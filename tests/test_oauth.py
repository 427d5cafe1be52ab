"""OAuth2 client credentials (Atlas service accounts) with an API key pair:
POST /api/oauth/token with httpx as any OAuth2 client sends it, then Bearer
on the REST API and GraphQL; expired, tampered and revoked tokens refused;
the errors of RFC 6749 §5.2, never a 500; one rate budget per key pair."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import jwt
import pytest

from graphql_api.app import create_app
from graphql_api.domain import oauth
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import Project, ProjectMembership
from graphql_api.rest.media import MEDIA_TYPE
from graphql_api.services.authentication import load_principal
from graphql_api.services.key_pairs import IssuedKeyPair, issue_key_pair, revoke_api_key_pair
from graphql_api.settings import Settings
from graphql_api.web import rate_limits
from tests.conftest import NOW, World
from tests.rest_client import API

TOKEN = "/api/oauth/token"
GRANT = {"grant_type": "client_credentials"}


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
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _reader(world: World) -> tuple[Project, IssuedKeyPair]:
    project = await world.project()
    actor = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    return project, await issue_key_pair(actor.user)


async def _token(http: httpx.AsyncClient, pair: IssuedKeyPair) -> str:
    answer = await http.post(TOKEN, data=GRANT, auth=(pair.public_key, pair.private_key))
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def _list(http: httpx.AsyncClient, project: Project, token: str) -> httpx.Response:
    return await http.get(
        f"{API}/groups/{project.id}/flexClusters",
        headers={"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"},
    )


async def test_the_client_credentials_flow_then_bearer_on_rest_and_graphql(
    http: httpx.AsyncClient, world: World
) -> None:
    project, pair = await _reader(world)
    answer = await http.post(TOKEN, data=GRANT, auth=(pair.public_key, pair.private_key))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert answer.headers["cache-control"] == "no-store"
    assert pair.private_key not in body["access_token"]
    listed = await _list(http, project, body["access_token"])
    assert listed.status_code == 200, listed.text
    viewer = await http.post(
        "/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert viewer.status_code == 200
    assert viewer.json()["data"]["viewer"]["email"] == (await pair.pair.user).email
    # The client id and secret in the body (RFC 6749 §2.3.1) work too.
    in_body = await http.post(
        TOKEN, data={**GRANT, "client_id": pair.public_key, "client_secret": pair.private_key}
    )
    assert in_body.status_code == 200 and in_body.json()["token_type"] == "Bearer"


async def test_an_expired_token_is_refused(
    http: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    project, pair = await _reader(world)
    token = await _token(http, pair)
    clock.now = NOW + timedelta(seconds=3599)
    assert (await _list(http, project, token)).status_code == 200
    clock.now = NOW + timedelta(seconds=3600)
    expired = await _list(http, project, token)
    assert expired.status_code == 401
    assert expired.json()["errorCode"] == "UNAUTHORIZED"
    assert any(c.startswith("Bearer ") for c in expired.headers.get_list("www-authenticate"))
    assert (await _list(http, project, await _token(http, pair))).status_code == 200


async def test_a_tampered_or_foreign_token_is_refused(
    http: httpx.AsyncClient, world: World
) -> None:
    project, pair = await _reader(world)
    _, other = await _reader(world)
    token = await _token(http, pair)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 86400
    longer = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert (await _list(http, project, f"{header}.{longer}.{signature}")).status_code == 401
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert (await _list(http, project, f"{header}.{payload}.{flipped}")).status_code == 401
    unsigned = jwt.encode({**claims, "sub": other.pair.id}, None, algorithm="none")  # type: ignore[arg-type]
    assert (await _list(http, project, unsigned)).status_code == 401
    forged = jwt.encode({**claims, "sub": other.pair.id}, "guessed" * 8, algorithm="HS256")
    assert (await _list(http, project, forged)).status_code == 401
    assert (await _list(http, project, "not.a.token")).status_code == 401
    assert (await _list(http, project, token)).status_code == 200  # the real one still works


async def test_a_revoked_pair_or_removed_role_stops_its_tokens_at_once(
    http: httpx.AsyncClient, world: World
) -> None:
    project, pair = await _reader(world)
    token = await _token(http, pair)
    user = await pair.pair.user
    other = await world.project(await project.organization)
    await ProjectMembership.create(user=user, project=other, role=ProjectRole.PROJECT_READ_ONLY)
    assert (await _list(http, other, token)).status_code == 200
    await ProjectMembership.filter(user=user, project=other).delete()
    gone = await _list(http, other, token)
    assert gone.status_code == 404  # the role, read at this request, is gone
    assert (await _list(http, project, token)).status_code == 200
    await revoke_api_key_pair(await load_principal(user), pair.pair.id, NOW)
    assert (await _list(http, project, token)).status_code == 401
    again = await http.post(TOKEN, data=GRANT, auth=(pair.public_key, pair.private_key))
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"


async def test_a_wrong_secret_or_unknown_client_is_invalid_client(
    http: httpx.AsyncClient, world: World
) -> None:
    _, pair = await _reader(world)
    answers = [
        await http.post(TOKEN, data=GRANT, auth=(pair.public_key, "wrong")),
        await http.post(TOKEN, data=GRANT, auth=("nobodyxx", pair.private_key)),
        await http.post(
            TOKEN, data={**GRANT, "client_id": pair.public_key, "client_secret": "wrong"}
        ),
        await http.post(TOKEN, data=GRANT),  # no client authentication at all
        await http.post(TOKEN, data=GRANT, headers={"Authorization": "Basic !!notbase64"}),
    ]
    for answer in answers:
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "invalid_client"
        assert answer.headers["www-authenticate"] == 'Basic realm="flex-backup"'
        assert "access_token" not in answer.json()
    assert answers[0].json() == answers[1].json()  # wrong secret and unknown client alike


@pytest.mark.parametrize(
    ("content", "headers", "status", "error"),
    [
        (b"", {}, 400, "invalid_request"),
        (b"grant_type=password&username=a&password=b", {}, 400, "unsupported_grant_type"),
        (b"grant_type=authorization_code&code=x", {}, 400, "unsupported_grant_type"),
        (b"grant_type=client_credentials&grant_type=client_credentials", {}, 400,
         "invalid_request"),
        (b"grant_type=client_credentials&client_id=a&client_secret=b", "basic", 400,
         "invalid_request"),
        (b'{"grant_type": "client_credentials"}', {"Content-Type": "application/json"}, 400,
         "invalid_request"),
        (b"grant_type=client_credentials&\xff=1", {}, 400, "invalid_request"),
        (b"%%%", {}, 400, "invalid_request"),
        (b"grant_type=client_credentials&client_id=" + b"a" * 600 + b"&client_secret=b", {},
         401, "invalid_client"),
        (b"grant_type=client_credentials&client_id=ab%00cd&client_secret=b", {}, 401,
         "invalid_client"),
    ],
)  # fmt: skip
async def test_bad_token_requests_answer_rfc_6749_errors(
    http: httpx.AsyncClient,
    world: World,
    content: bytes,
    headers: dict[str, str] | str,
    status: int,
    error: str,
) -> None:
    _, pair = await _reader(world)
    sent = {"Content-Type": "application/x-www-form-urlencoded"}
    if headers == "basic":
        basic = base64.b64encode(f"{pair.public_key}:{pair.private_key}".encode()).decode()
        sent["Authorization"] = f"Basic {basic}"
    elif isinstance(headers, dict):
        sent.update(headers)
    answer = await http.post(TOKEN, content=content, headers=sent)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error and answer.json()["error_description"]
    assert (await http.get(TOKEN)).status_code == 405


async def test_a_token_shares_its_key_pairs_rate_budget(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    monkeypatch.setattr(rate_limits, "seconds", lambda: 600.0)  # 60 s left in this window
    app = create_app(Settings(rate_limit_per_minute=3), manage_orm=False, clock=lambda: NOW)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        project, pair = await _reader(world)
        token = await _token(http, pair)  # the token endpoint itself is not counted
        digest = await http.get(
            f"{API}/groups/{project.id}/flexClusters",
            headers={"Accept": MEDIA_TYPE},
            auth=httpx.DigestAuth(pair.public_key, pair.private_key),
        )
        assert digest.headers["ratelimit-remaining"] == "2"
        assert (await _list(http, project, token)).headers["ratelimit-remaining"] == "1"
        second = await _token(http, pair)  # a new token draws on the same budget
        assert (await _list(http, project, second)).headers["ratelimit-remaining"] == "0"
        refused = await _list(http, project, token)
        assert refused.status_code == 429 and refused.json()["errorCode"] == "RATE_LIMITED"


def test_tokens_are_signed_with_their_own_key() -> None:
    """A download link's or nonce's key is not the token key: derived by purpose."""
    assert oauth.token_key("k") != b"k" and oauth.token_key("k") != oauth.token_key("l")


async def test_graphql_challenges_with_every_scheme_it_accepts(
    http: httpx.AsyncClient, world: World
) -> None:
    _, pair = await _reader(world)
    query = {"query": "{ viewer { email } }"}
    refused = await http.post("/graphql", json=query)
    assert refused.status_code == 401
    [bearer, digest] = refused.headers.get_list("www-authenticate")
    assert bearer == 'Bearer realm="flex-backup"'
    assert digest.startswith('Digest realm="flex-backup", nonce="')
    answered = await http.post(
        "/graphql", json=query, auth=httpx.DigestAuth(pair.public_key, pair.private_key)
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"]["viewer"]["email"] == (await pair.pair.user).email
