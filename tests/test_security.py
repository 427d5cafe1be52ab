"""Hostile input: other projects' ids, injection-shaped names, traversal, key leaks."""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from graphql_api.domain import api_keys
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import BackupJob, Cluster, Snapshot
from graphql_api.storage.base import InvalidKeyError
from graphql_api.storage.local import LocalStore
from tests.conftest import GraphQLClient, World
from tests.test_restores import CREATED, DOWNLOAD, RESTORE, _restore_input, engine

EVIL_NAMES = [
    "x'; DROP TABLE clusters; --",
    'x" OR "1"="1',
    "../../../../etc/passwd",
    "..",
    "%2e%2e%2f",
    "名前 with spaces",
]


@pytest.mark.parametrize("name", EVIL_NAMES)
async def test_hostile_names_round_trip_harmlessly(
    gql: GraphQLClient, world: World, name: str
) -> None:
    project = await world.project(name=name[:64])
    cluster = await world.cluster(project, name, created_at=CREATED)
    await engine().tick(CREATED + timedelta(days=1))
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    body = await gql(
        "query($p: ID!, $n: String!) { cluster(projectId: $p, name: $n) { name"
        " snapshots { nodes { status } } } }",
        owner,
        {"p": project.id, "n": name},
    )
    assert body["data"]["cluster"] == {
        "name": name,
        "snapshots": {"nodes": [{"status": "COMPLETED"}]},
    }
    assert await Cluster.all().count() == 1  # nothing dropped, nothing matched wholesale
    snapshot = await Snapshot.get(cluster_id=cluster.id)
    key = snapshot.storage_key or ""
    assert ".." not in key and name not in key  # keys are built from ids only
    store = engine().stores[snapshot.storage_location]
    assert isinstance(store, LocalStore)
    assert (store.root / key).resolve().is_relative_to(store.root)


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../../b", "a//b", ""])
async def test_storage_keys_cannot_leave_their_folder(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "GERMANY")
    with pytest.raises(InvalidKeyError):
        await store.size(key)


def test_api_key_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)
    stored = api_keys.hash_secret("s" * 43)
    assert api_keys.secret_matches("s" * 43, stored)
    assert not api_keys.secret_matches("t" * 43, stored)
    assert len(calls) == 2


async def test_api_keys_never_reach_the_logs(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    actor = await world.actor()
    secret = actor.token.split("_", 2)[2]
    with caplog.at_level(logging.DEBUG):
        await gql("{ viewer { email } }", actor)
        await gql("{ viewer { email } }", type(actor)(actor.user, actor.token + "x"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "api_keys" in logged  # the SQL was logged at DEBUG: we looked at the right place
    assert secret not in logged


async def test_every_id_taking_operation_hides_other_projects(
    gql: GraphQLClient, world: World
) -> None:
    victim = await world.project()
    await world.cluster(victim, "target")
    source = await world.cluster(victim, "source", created_at=CREATED)
    await engine().tick(CREATED + timedelta(days=1))
    snapshot = await Snapshot.get(cluster_id=source.id)
    owner = await world.actor(project=victim, role=ProjectRole.PROJECT_OWNER)
    made = await gql(DOWNLOAD, owner, {"id": snapshot.id})
    job_id = made["data"]["downloadSnapshot"]["job"]["id"]
    mine = await world.project()
    await world.cluster(mine, "mine")
    attacker = await world.actor(project=mine, role=ProjectRole.PROJECT_OWNER)

    reads = [
        ("query($i: ID!) { project(id: $i) { id } }", {"i": victim.id}, "project"),
        ('query($i: ID!) { cluster(projectId: $i, name: "source") { id } }',
         {"i": victim.id}, "cluster"),
        ("query($i: ID!) { snapshot(id: $i) { id } }", {"i": snapshot.id}, "snapshot"),
        ("query($i: ID!) { backupJob(id: $i) { id } }", {"i": job_id}, "backupJob"),
    ]  # fmt: skip
    for query, variables, field in reads:
        body = await gql(query, attacker, variables)
        assert body["data"][field] is None, field
    writes = [
        (DOWNLOAD, {"id": snapshot.id}),
        (RESTORE, _restore_input(snapshot, mine, "mine")),
        (RESTORE, _restore_input(snapshot, victim, "target")),
        ("mutation($j: ID!) { revokeDownload(jobId: $j) { job { id } } }", {"j": job_id}),
        ("mutation($p: ID!) { addProjectOwner(projectId: $p) { project { id } } }",
         {"p": victim.id}),
    ]  # fmt: skip
    for mutation, variables in writes:
        body = await gql(mutation, attacker, variables)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", mutation
    assert await BackupJob.filter(revoked_at__isnull=False).count() == 0
    assert await BackupJob.all().count() == 1
