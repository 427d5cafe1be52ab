"""A registered replica set: its seed list, its credentials encrypted at rest,
never shown or logged, rotated; the real data plane reaches it by them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.roles import ProjectRole
from graphql_api.fleet.mongodb import MongoFleet
from graphql_api.fleet.mongodb_connect import MongoOptions
from graphql_api.models import AuditEvent, Cluster, Project
from graphql_api.services import cluster_lifecycle, credentials
from graphql_api.services.clusters import address_of
from graphql_api.settings import get_settings
from tests.conftest import NOW, Actor, GraphQLClient, World
from tests.mockup_rs import FakeReplicaSet
from tests.test_cluster_lifecycle import CREATE, FIELDS, PROJECT, _code, _create_input
from tests.test_fleet_mongodb import FAST, rs, rs_servers  # noqa: F401  (fixtures)

SEED = "mongodb://db1.example.net:27017,db2.example.net:27018/?replicaSet=rs0&authSource=admin"
USER, PASSWORD = "backup-agent-7f3a", "s3cr3t-Pa55-w0rd-9c1e"
NEW_USER, NEW_PASSWORD = "backup-agent-next", "n3w-s3cr3t-b8d2-7e6f"

CONNECT = f"""mutation($in: SetClusterConnectionInput!) {{
  setClusterConnection(input: $in) {{ cluster {{ {FIELDS}
    replicaSet {{ hosts replicaSetName credentialsSet }} }} }} }}"""
ROTATE = f"""mutation($in: RotateClusterCredentialsInput!) {{
  rotateClusterCredentials(input: $in) {{ cluster {{ {FIELDS}
    replicaSet {{ hosts replicaSetName credentialsSet }} }} }} }}"""
READ = """query($p: ID!, $n: String!) { cluster(projectId: $p, name: $n) {
  connectionStrings { standard standardSrv } replicaSet { hosts replicaSetName credentialsSet }
  project { auditEvents { nodes { action target detail code } } } } }"""


def _connect(project: Project, name: str, seed: str = SEED, **credentials: str) -> dict:
    return {
        "in": {
            "projectId": project.id,
            "name": name,
            "connection": {"connectionString": seed, **credentials},
        }
    }


async def _setup(world: World) -> tuple[Project, Actor]:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await world.cluster(project, "real")
    return project, owner


async def test_credentials_are_stored_encrypted_and_never_returned_or_logged(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    project, owner = await _setup(world)
    answers = [
        await gql(CONNECT, owner, _connect(project, "real", username=USER, password=PASSWORD))
    ]
    cluster = answers[0]["data"]["setClusterConnection"]["cluster"]
    assert cluster["replicaSet"] == {
        "hosts": ["db1.example.net:27017", "db2.example.net:27018"],
        "replicaSetName": "rs0",
        "credentialsSet": True,
    }
    assert cluster["connectionStrings"] == {"standard": SEED, "standardSrv": None}
    answers.append(await gql(READ, owner, {"p": project.id, "n": "real"}))
    answers.append(await gql(PROJECT, owner, {"p": project.id, "n": "real"}))

    row = await Cluster.get(live_name="real")
    assert row.credentials is not None
    assert USER not in row.credentials and PASSWORD not in row.credentials
    opened = Fernet(get_settings().cluster_credentials_key()).decrypt(row.credentials.encode())
    assert PASSWORD.encode() in opened  # the row holds a token only CREDENTIALS_KEY opens
    with pytest.raises(credentials.CredentialsUnreadable):
        credentials.unseal(row.credentials, Fernet.generate_key().decode())

    address = address_of(row)  # what the data plane gets: the values, decrypted
    assert (address.username, address.password) == (USER, PASSWORD)
    assert address.connection_string == SEED
    assert PASSWORD not in repr(address)
    kwargs = MongoOptions().client_kwargs(address)
    assert kwargs["username"] == USER and kwargs["password"] == PASSWORD

    await world.project()  # a tick logs snapshots of every cluster
    from tests.test_restores import engine

    await engine().tick(NOW + timedelta(days=1))
    events = await AuditEvent.filter(project_id=project.id)
    texts = [str(a) for a in answers] + [caplog.text] + [f"{e.target} {e.detail}" for e in events]
    for text in texts:
        assert USER not in text and PASSWORD not in text


async def test_rotating_credentials_replaces_them(gql: GraphQLClient, world: World) -> None:
    project, owner = await _setup(world)
    await gql(CONNECT, owner, _connect(project, "real", username=USER, password=PASSWORD))
    before = (await Cluster.get(live_name="real")).credentials
    body = await gql(
        ROTATE,
        owner,
        {"in": {"projectId": project.id, "name": "real", "username": NEW_USER,
                "password": NEW_PASSWORD}},
    )  # fmt: skip
    assert body["data"]["rotateClusterCredentials"]["cluster"]["replicaSet"]["credentialsSet"]
    assert NEW_PASSWORD not in str(body) and NEW_USER not in str(body)
    row = await Cluster.get(live_name="real")
    assert row.credentials != before and row.connection_string == SEED
    address = address_of(row)
    assert (address.username, address.password) == (NEW_USER, NEW_PASSWORD)
    actions = await AuditEvent.filter(project_id=project.id).values_list("action", flat=True)
    assert sorted(actions) == ["CLUSTER_CONNECTION_SET", "CLUSTER_CREDENTIALS_ROTATED"]


@pytest.mark.parametrize(
    ("seed", "code"),
    [
        (
            f"mongodb://{USER}:{PASSWORD}@db1:27017/?replicaSet=rs0",
            "CREDENTIALS_IN_CONNECTION_STRING",
        ),
        ("mongodb://db1:27017,db2:27017/", "INVALID_CONNECTION_STRING"),  # no replicaSet
        ("mongodb+srv://cluster0.example.net/?replicaSet=rs0", "INVALID_CONNECTION_STRING"),
        ("http://db1/?replicaSet=rs0", "INVALID_CONNECTION_STRING"),
        ("mongodb://db1:99999/?replicaSet=rs0", "INVALID_CONNECTION_STRING"),
        ("mongodb://db1/?replicaSet=rs0&" + "x" * 5000, "INVALID_CONNECTION_STRING"),
        ("mongodb://db1/?replicaSet=rs0&tlsCAFile=/etc/passwd", "INVALID_CONNECTION_STRING"),
        ("mongodb://db1/?replicaSet=rs0&directConnection=true", "INVALID_CONNECTION_STRING"),
    ],
)
async def test_bad_connection_strings_are_refused_without_echoing_them(
    gql: GraphQLClient, world: World, seed: str, code: str
) -> None:
    project, owner = await _setup(world)
    body = await gql(CONNECT, owner, _connect(project, "real", seed))
    assert _code(body) == code
    assert PASSWORD not in str(body)
    assert (await Cluster.get(live_name="real")).connection_string is None
    event = await AuditEvent.get(project_id=project.id)
    assert event.code == code and PASSWORD not in event.detail + event.target


async def test_bad_credentials_and_rotation_without_a_connection_are_refused(
    gql: GraphQLClient, world: World
) -> None:
    project, owner = await _setup(world)
    body = await gql(CONNECT, owner, _connect(project, "real", username=USER, password=""))
    assert _code(body) == "INVALID_CREDENTIALS"
    body = await gql(CONNECT, owner, _connect(project, "real", username=USER))
    assert _code(body) == "INVALID_CREDENTIALS"
    rotate = {"in": {"projectId": project.id, "name": "real", "username": USER, "password": "p"}}
    assert _code(await gql(ROTATE, owner, rotate)) == "NO_CONNECTION"
    assert (await Cluster.get(live_name="real")).credentials is None


async def test_only_project_owners_set_or_rotate_connections(
    gql: GraphQLClient, world: World
) -> None:
    project, owner = await _setup(world)
    await gql(CONNECT, owner, _connect(project, "real", username=USER, password=PASSWORD))
    manager = await world.actor(project=project, role=ProjectRole.PROJECT_CLUSTER_MANAGER)
    body = await gql(CONNECT, manager, _connect(project, "real", username="x", password="y"))
    assert _code(body) == "FORBIDDEN"
    rotate = {"in": {"projectId": project.id, "name": "real", "username": "x", "password": "y"}}
    assert _code(await gql(ROTATE, manager, rotate)) == "FORBIDDEN"
    assert address_of(await Cluster.get(live_name="real")).password == PASSWORD


async def test_a_flex_cluster_can_be_created_with_its_connection(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    variables = _create_input(
        project,
        connection={"connectionString": SEED, "username": USER, "password": PASSWORD},
    )
    body = await gql(CREATE, owner, variables)
    assert body["data"]["createFlexCluster"]["cluster"]["connectionStrings"]["standard"] == SEED
    assert PASSWORD not in str(body)
    assert address_of(await Cluster.get(live_name="flex-one")).password == PASSWORD
    bad = _create_input(project, "flex-two", connection={"connectionString": "mongodb://h/"})
    assert _code(await gql(CREATE, owner, bad)) == "INVALID_CONNECTION_STRING"
    assert not await Cluster.filter(live_name="flex-two").exists()  # nothing half-made


async def test_the_real_data_plane_reaches_a_registered_replica_set(
    world: World,
    rs: FakeReplicaSet,  # noqa: F811
) -> None:
    project = await world.project()
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    from graphql_api.services.authentication import load_principal

    principal = await load_principal(owner.user)
    cluster = await cluster_lifecycle.create_flex_cluster(
        principal, project.id, "on-mongodb", provider=CloudProvider.AWS, region="us-east-1",
        connection=cluster_lifecycle.Connection(rs.seed_list), now=NOW,
    )  # fmt: skip
    fleet = MongoFleet(FAST)
    nodes = (await fleet.nodes([address_of(cluster)]))[cluster.id]
    assert nodes.unreachable is None and len(nodes.nodes) == 3
    # CREATING until the data plane reports a primary: then IDLE.
    assert cluster.state.value == "CREATING"
    assert await cluster_lifecycle.settle_creating(fleet) == 1
    assert (await Cluster.get(id=cluster.id)).state.value == "IDLE"
