"""API keys: accepted, missing, wrong, revoked, and never stored in clear."""

from graphql_api.models import ApiKey
from graphql_api.services.api_keys import revoke_api_keys
from tests.conftest import NOW, Actor, GraphQLClient, World

VIEWER = "{ viewer { email } }"


async def test_valid_key_identifies_the_caller(gql: GraphQLClient, world: World) -> None:
    actor = await world.actor()
    body = await gql(VIEWER, actor)
    assert body["_status"] == 200
    assert body["data"]["viewer"]["email"] == actor.user.email


async def test_missing_key_is_401_unauthenticated(gql: GraphQLClient) -> None:
    body = await gql(VIEWER, None)
    assert body["_status"] == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"] is None


async def test_wrong_and_malformed_keys_are_401(gql: GraphQLClient, world: World) -> None:
    actor = await world.actor()
    key_id = actor.token.split("_")[1]
    forged = [
        f"fbk_{key_id}_{'x' * 43}",  # right id, wrong secret
        actor.token[:-1] + ("A" if actor.token[-1] != "A" else "B"),
        "fbk_not-an-id_secretsecretsecret",
        "garbage",
        "",
    ]
    for token in forged:
        body = await gql(VIEWER, Actor(actor.user, token))
        assert body["_status"] == 401, token
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_non_bearer_scheme_is_refused(client, world: World) -> None:
    actor = await world.actor()
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Basic {actor.token}"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_key_stops_working(gql: GraphQLClient, world: World) -> None:
    actor = await world.actor()
    assert (await gql(VIEWER, actor))["_status"] == 200
    await revoke_api_keys(actor.user, NOW)
    assert (await gql(VIEWER, actor))["_status"] == 401


async def test_keys_are_hashed_at_rest(world: World) -> None:
    actor = await world.actor()
    secret = actor.token.split("_", 2)[2]
    row = await ApiKey.get(user=actor.user)
    stored = " ".join(str(v) for v in (await ApiKey.filter(id=row.id).values())[0].values())
    assert secret not in stored
    assert len(row.secret_hash) == 64 and row.secret_hash != secret


async def test_graphiql_page_loads_without_a_key(client) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_and_readiness_need_no_key(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["storage:GERMANY"] == "ok"
