"""Flex clusters' lifecycle through the API: create, update, delete, upgrade;
dedicated clusters registered with Cloud Backup on or off."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

import pytest

from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models import AuditEvent, AuditOutcome, Cluster, Project, Snapshot, SnapshotStatus
from graphql_api.services import cluster_lifecycle, daily_snapshots
from tests.conftest import NOW, Actor, GraphQLClient, World
from tests.test_restores import DOWNLOAD, RESTORE, _restore_input, engine

FIELDS = """id name tier stateName mongoDBVersion versionReleaseSystem createDate
  providerSettings { providerName backingProviderName regionName diskSizeGB }
  backupSettings { enabled } terminationProtectionEnabled tags { key value }
  connectionStrings { standard standardSrv } snapshotStorageLocation { name }
  backupPolicy { firstSnapshotTime nextSnapshotTime } deletedAt deleted"""
CREATE = f"""mutation($in: CreateFlexClusterInput!) {{
  createFlexCluster(input: $in) {{ cluster {{ {FIELDS} }} }} }}"""
UPDATE = f"""mutation($in: UpdateFlexClusterInput!) {{
  updateFlexCluster(input: $in) {{ cluster {{ {FIELDS} }} }} }}"""
DELETE = f"""mutation($p: ID!, $n: String!) {{
  deleteFlexCluster(projectId: $p, name: $n) {{ cluster {{ {FIELDS} }} }} }}"""
UPGRADE = f"""mutation($p: ID!, $n: String!) {{
  upgradeFlexCluster(projectId: $p, name: $n) {{ cluster {{ {FIELDS} }} }} }}"""
REGISTER = f"""mutation($in: RegisterDedicatedClusterInput!) {{
  registerDedicatedCluster(input: $in) {{ cluster {{ {FIELDS} }} }} }}"""
PROJECT = """query($p: ID!, $n: String!) { project(id: $p) {
  cluster(name: $n) { id stateName }
  clusters { nodes { name } }
  all: clusters(includeDeleted: true) { nodes { name deleted deletedAt stateName } }
  cloudBackupClusters { nodes { name tier backupSettings { enabled } } }
  snapshots(first: 50) { nodes { id status expiration cluster { name deleted } } } } }"""


def _create_input(project: Project, name: str = "flex-one", **extra: object) -> dict:
    return {
        "in": {
            "projectId": project.id,
            "name": name,
            "backingProviderName": "AWS",
            "regionName": "eu-central-1",
            **extra,
        }
    }


def _code(body: dict) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


async def _owner(world: World, project: Project) -> Actor:
    return await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)


async def _events(project: Project, action: str) -> list[AuditEvent]:
    return await AuditEvent.filter(project_id=project.id, action=action).order_by("created_at")


async def test_create_flex_cluster_answers_atlas_shapes_and_is_audited(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    tags = [{"key": "team", "value": "payments"}]
    body = await gql(CREATE, owner, _create_input(project, tags=tags))
    cluster = body["data"]["createFlexCluster"]["cluster"]
    assert cluster["name"] == "flex-one" and cluster["tier"] == "FLEX"
    assert cluster["stateName"] == "CREATING"
    assert cluster["mongoDBVersion"] == "8.0.0" and cluster["versionReleaseSystem"] == "LTS"
    assert cluster["providerSettings"] == {
        "providerName": "FLEX",
        "backingProviderName": "AWS",
        "regionName": "eu-central-1",
        "diskSizeGB": 5.0,
    }
    assert cluster["snapshotStorageLocation"] == {"name": "Germany"}  # Frankfurt
    assert cluster["backupSettings"] == {"enabled": True}
    assert cluster["terminationProtectionEnabled"] is False
    assert cluster["tags"] == tags
    assert cluster["connectionStrings"] == {"standard": None, "standardSrv": None}
    assert cluster["backupPolicy"]["firstSnapshotTime"] == (NOW + timedelta(hours=24)).isoformat()
    assert cluster["deletedAt"] is None and cluster["deleted"] is False
    [event] = await _events(project, "FLEX_CLUSTER_CREATED")
    assert event.outcome is AuditOutcome.ALLOWED and event.target == "flex-one"


async def test_a_new_cluster_is_idle_once_the_data_plane_reports_it(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    await gql(CREATE, owner, _create_input(project))
    report = await engine().tick(NOW + timedelta(minutes=1))
    assert report.settled == 1
    assert (await Cluster.get(live_name="flex-one")).state.value == "IDLE"
    # The first snapshot is due a day after creation, not before.
    assert report.queued == 0
    assert (await engine().tick(NOW + timedelta(hours=24))).completed == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("-starts-with-hyphen", "INVALID_CLUSTER_NAME"),
        ("under_score", "INVALID_CLUSTER_NAME"),
        ("with space", "INVALID_CLUSTER_NAME"),
        ("x" * 65, "INVALID_CLUSTER_NAME"),
        ("", "INVALID_CLUSTER_NAME"),
    ],
)
async def test_create_refuses_names_atlas_refuses(
    gql: GraphQLClient, world: World, name: str, code: str
) -> None:
    project = await world.project()
    body = await gql(CREATE, await _owner(world, project), _create_input(project, name))
    assert _code(body) == code
    assert "^[a-zA-Z0-9][a-zA-Z0-9-]*$" in body["errors"][0]["message"]
    assert await Cluster.all().count() == 0
    [event] = await _events(project, "FLEX_CLUSTER_CREATED")
    assert event.outcome is AuditOutcome.REFUSED and event.code == code


async def test_a_64_character_name_is_accepted(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    name = "a" + "-b" * 31 + "c"
    assert len(name) == 64
    body = await gql(CREATE, await _owner(world, project), _create_input(project, name))
    assert body["data"]["createFlexCluster"]["cluster"]["name"] == name


async def test_create_refuses_a_duplicate_name(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    await gql(CREATE, owner, _create_input(project))
    body = await gql(CREATE, owner, _create_input(project))
    assert _code(body) == "DUPLICATE_CLUSTER_NAME"
    # The same name in another project is another cluster.
    other = await world.project()
    await world.actor(project=other, role=ProjectRole.PROJECT_OWNER)
    body = await gql(CREATE, await _owner(world, other), _create_input(other))
    assert body["data"]["createFlexCluster"]["cluster"]["name"] == "flex-one"


async def test_create_refuses_an_unknown_region_listing_the_valid_ones(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    body = await gql(
        CREATE, await _owner(world, project), _create_input(project, regionName="europe-west3")
    )
    assert _code(body) == "UNKNOWN_REGION"
    message = body["errors"][0]["message"]
    assert "europe-west3" in message  # a GCP code, asked of AWS
    assert "us-east-1" in message and "eu-central-1" in message and "ap-south-1" in message


@pytest.mark.parametrize(
    "tags",
    [
        [{"key": "", "value": "v"}],
        [{"key": "k", "value": "v" * 256}],
        [{"key": "k" * 256, "value": "v"}],
        [{"key": "k", "value": "a"}, {"key": "k", "value": "b"}],
    ],
)
async def test_create_and_update_refuse_bad_tags(
    gql: GraphQLClient, world: World, tags: list
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    assert _code(await gql(CREATE, owner, _create_input(project, tags=tags))) == "INVALID_TAGS"
    await gql(CREATE, owner, _create_input(project))
    body = await gql(
        UPDATE, owner, {"in": {"projectId": project.id, "name": "flex-one", "tags": tags}}
    )
    assert _code(body) == "INVALID_TAGS"
    assert (await Cluster.get(live_name="flex-one")).tags == []


async def test_tags_of_255_characters_are_kept(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    tags = [{"key": "k" * 255, "value": "v" * 255}]
    body = await gql(CREATE, await _owner(world, project), _create_input(project, tags=tags))
    assert body["data"]["createFlexCluster"]["cluster"]["tags"] == tags


@pytest.mark.parametrize(
    "role", [ProjectRole.PROJECT_READ_ONLY, ProjectRole.PROJECT_CLUSTER_MANAGER, None]
)
async def test_only_project_owners_create_update_and_delete(
    gql: GraphQLClient, world: World, role: ProjectRole | None
) -> None:
    project = await world.project()
    await world.cluster(project, "kept")
    caller = await world.actor(project=project, role=role)
    attempts = [
        (CREATE, _create_input(project)),
        (UPDATE, {"in": {"projectId": project.id, "name": "kept", "tags": []}}),
        (DELETE, {"p": project.id, "n": "kept"}),
    ]
    for query, variables in attempts:
        body = await gql(query, caller, variables)
        # Without a role the project is unknown to the caller: answered like a missing one.
        assert _code(body) == ("NOT_FOUND" if role is None else "FORBIDDEN")
        if role is not None:
            assert "Project Owner" in body["errors"][0]["message"]
    assert await Cluster.filter(live_name="kept").exists()
    assert await Cluster.all().count() == 1


async def test_an_unknown_project_answers_like_someone_elses(
    gql: GraphQLClient, world: World
) -> None:
    mine, theirs = await world.project(), await world.project()
    owner = await _owner(world, mine)
    unknown = "0" * 24
    foreign = await gql(CREATE, owner, _create_input(theirs))
    missing = await gql(CREATE, owner, _create_input(Project(id=unknown)))
    assert _code(foreign) == _code(missing) == "NOT_FOUND"
    assert (
        foreign["errors"][0]["message"].replace(theirs.id, unknown)
        == missing["errors"][0]["message"]
    )
    body = await gql(DELETE, owner, {"p": theirs.id, "n": "x"})
    assert _code(body) == "NOT_FOUND"


async def test_update_changes_protection_and_tags_only_as_asked(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    await gql(CREATE, owner, _create_input(project, tags=[{"key": "a", "value": "1"}]))
    body = await gql(
        UPDATE,
        owner,
        {"in": {"projectId": project.id, "name": "flex-one", "terminationProtectionEnabled": True}},
    )
    cluster = body["data"]["updateFlexCluster"]["cluster"]
    assert cluster["terminationProtectionEnabled"] is True
    assert cluster["tags"] == [{"key": "a", "value": "1"}]  # not given: kept
    body = await gql(
        UPDATE, owner, {"in": {"projectId": project.id, "name": "flex-one", "tags": []}}
    )
    assert body["data"]["updateFlexCluster"]["cluster"]["tags"] == []
    assert body["data"]["updateFlexCluster"]["cluster"]["terminationProtectionEnabled"] is True
    body = await gql(UPDATE, owner, {"in": {"projectId": project.id, "name": "nope", "tags": []}})
    assert _code(body) == "NOT_FOUND"


async def test_delete_is_refused_under_termination_protection(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    await gql(CREATE, owner, _create_input(project, terminationProtectionEnabled=True))
    body = await gql(DELETE, owner, {"p": project.id, "n": "flex-one"})
    assert _code(body) == "TERMINATION_PROTECTION_ENABLED"
    assert "updateFlexCluster" in body["errors"][0]["message"]
    cluster = await Cluster.get(live_name="flex-one")
    assert cluster.deleted_at is None and cluster.next_snapshot_at is not None
    [event] = await _events(project, "FLEX_CLUSTER_DELETED")
    assert event.code == "TERMINATION_PROTECTION_ENABLED"


async def test_delete_is_refused_while_a_restore_into_the_cluster_runs(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    source = await world.cluster(project, "source", created_at=NOW - timedelta(days=3))
    await engine().tick(NOW - timedelta(days=2))
    await world.cluster(project, "target")
    snapshot = await Snapshot.get(cluster_id=source.id)
    job = await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))
    assert job["data"]["restoreSnapshot"]["job"]["status"] == "QUEUED"
    body = await gql(DELETE, owner, {"p": project.id, "n": "target"})
    assert _code(body) == "RESTORE_IN_PROGRESS"
    await engine().tick(NOW)  # the restore runs and ends
    body = await gql(DELETE, owner, {"p": project.id, "n": "target"})
    assert body["data"]["deleteFlexCluster"]["cluster"]["deleted"] is True


@pytest.mark.parametrize("mutation", ["delete", "upgrade"])
async def test_a_restore_asked_for_while_the_cluster_ends_waits_for_it(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch, mutation: str
) -> None:
    """A restore requested between the delete's (or upgrade's) restore check and
    its write waits until the cluster has ended instead of being queued into it;
    into a deleted cluster it is then refused. The hook holds the delete for a
    second after its check while the restore is asked for."""
    project = await world.project()
    owner = await _owner(world, project)
    source = await world.cluster(project, "source", created_at=NOW - timedelta(days=3))
    await engine().tick(NOW - timedelta(days=2))
    await world.cluster(project, "target")
    snapshot = await Snapshot.get(cluster_id=source.id)
    asked = asyncio.Event()

    async def ask_for_a_restore() -> dict:
        await asked.wait()
        return await gql(RESTORE, owner, _restore_input(snapshot, project, "target"))

    # Started here, not in the hook, so it runs outside the delete's transaction.
    restoring = asyncio.create_task(ask_for_a_restore())
    answered_inside_the_window: list[bool] = []
    check = cluster_lifecycle._refuse_while_restoring

    async def check_then_ask_for_a_restore(cluster: Cluster, what: str) -> None:
        await check(cluster, what)
        asked.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(restoring), 1.0)
        answered_inside_the_window.append(restoring.done())

    monkeypatch.setattr(cluster_lifecycle, "_refuse_while_restoring", check_then_ask_for_a_restore)
    mutation_text = DELETE if mutation == "delete" else UPGRADE
    ended = await gql(mutation_text, owner, {"p": project.id, "n": "target"})
    restore = (await restoring)["data"]["restoreSnapshot"]
    assert not ended.get("errors"), ended
    assert answered_inside_the_window == [False], f"answered while the {mutation} was half done"
    if mutation == "delete":
        assert restore["job"] is None
        assert [e["code"] for e in restore["userErrors"]] == ["TARGET_NOT_FOUND"]


async def test_an_update_racing_a_delete_does_not_change_the_deleted_cluster(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update asked for while a delete is being written waits for it and
    then finds no live cluster, instead of writing to the deleted row and
    answering as if it were live."""
    project = await world.project()
    owner = await _owner(world, project)
    await gql(CREATE, owner, _create_input(project))
    asked = asyncio.Event()

    async def update() -> dict:
        await asked.wait()
        variables = {"in": {"projectId": project.id, "name": "flex-one",
                            "terminationProtectionEnabled": True}}  # fmt: skip
        return await gql(UPDATE, owner, variables)

    updating = asyncio.create_task(update())  # outside the delete's transaction
    end_schedule = daily_snapshots.end_schedule

    async def end_then_let_the_update_in(*args: object) -> None:
        await end_schedule(*args)  # type: ignore[arg-type]
        asked.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(updating), 1.0)

    monkeypatch.setattr(daily_snapshots, "end_schedule", end_then_let_the_update_in)
    deleted = await gql(DELETE, owner, {"p": project.id, "n": "flex-one"})
    assert deleted["data"]["deleteFlexCluster"]["cluster"]["deleted"] is True
    assert _code(await updating) == "NOT_FOUND"
    cluster = await Cluster.get(name="flex-one")
    assert cluster.deleted_at is not None and cluster.termination_protection is False


async def _history(world: World, project: Project, name: str, days: int = 10) -> Cluster:
    """A cluster created ``days`` ago with a snapshot for each day up to NOW."""
    created = NOW - timedelta(days=days)
    cluster = await world.cluster(project, name, created_at=created)
    scheduler = engine()
    for day in range(1, days + 1):
        await scheduler.tick(created + timedelta(days=day))
    return cluster


async def _completed(cluster: Cluster) -> dict[str, datetime]:
    rows = await Snapshot.filter(cluster_id=cluster.id, status=SnapshotStatus.COMPLETED)
    return {r.id: r.expiration for r in rows if r.expiration is not None}


async def test_deleting_stops_the_schedule_and_keeps_snapshots_until_they_expire(
    gql: GraphQLClient, world: World
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    cluster = await _history(world, project, "doomed")
    kept = await _completed(cluster)
    assert len(kept) == 8
    body = await gql(DELETE, owner, {"p": project.id, "n": "doomed"})
    answer = body["data"]["deleteFlexCluster"]["cluster"]
    assert answer["deleted"] is True and answer["deletedAt"] == NOW.isoformat()
    assert answer["stateName"] == "DELETING"
    assert answer["backupPolicy"] is None  # no schedule any more

    view = (await gql(PROJECT, owner, {"p": project.id, "n": "doomed"}))["data"]["project"]
    assert view["cluster"] is None and view["clusters"]["nodes"] == []
    assert view["all"]["nodes"] == [
        {"name": "doomed", "deleted": True, "deletedAt": NOW.isoformat(), "stateName": "DELETING"}
    ]
    listed = view["snapshots"]["nodes"]
    assert {s["id"] for s in listed} == set(kept)
    assert all(s["cluster"] == {"name": "doomed", "deleted": True} for s in listed)
    assert {s["id"]: s["expiration"] for s in listed} == {i: e.isoformat() for i, e in kept.items()}

    # Still downloadable and restorable.
    newest = max(kept, key=lambda i: kept[i])
    snapshot = await Snapshot.get(id=newest)
    download = await gql(DOWNLOAD, owner, {"id": newest})
    assert download["data"]["downloadSnapshot"]["job"]["snapshotUrl"]
    await world.cluster(project, "elsewhere")
    restore = await gql(RESTORE, owner, _restore_input(snapshot, project, "elsewhere"))
    assert restore["data"]["restoreSnapshot"]["job"]["status"] == "QUEUED"

    # The schedule has stopped: days pass, no new snapshot; each goes at its expiration.
    scheduler = engine()
    # "The last 8" no longer applies to it, even if a tick touches it: a 9th
    # (older) completed one would fall out of a live cluster's 8, not here.
    ninth = await Snapshot.create(
        cluster=cluster, project_id=project.id, scheduled_time=NOW - timedelta(days=30),
        status=SnapshotStatus.COMPLETED, expiration=NOW + timedelta(days=1),
        mongodb_version="8.0.0", storage_location="USA",
    )  # fmt: skip
    kept[ninth.id] = NOW + timedelta(days=1)
    assert await daily_snapshots.apply_retention([cluster.id], scheduler.stores) == 0
    assert await _completed(cluster) == kept
    for day in range(1, 9):
        now = NOW + timedelta(days=day, minutes=1)
        await scheduler.tick(now)
        assert not await Snapshot.filter(cluster_id=cluster.id, scheduled_time__gt=NOW).exists()
        left = await _completed(cluster)
        assert left == {i: e for i, e in kept.items() if e > now}
    assert await Snapshot.filter(cluster_id=cluster.id).count() == 0
    assert (await Cluster.get(id=cluster.id)).next_expiry_at is None  # nothing left to watch


async def test_a_deleted_clusters_name_can_be_used_again(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    old = await _history(world, project, "again", days=2)
    await gql(DELETE, owner, {"p": project.id, "n": "again"})
    body = await gql(CREATE, owner, _create_input(project, "again"))
    new_id = body["data"]["createFlexCluster"]["cluster"]["id"]
    assert new_id != old.id
    view = (await gql(PROJECT, owner, {"p": project.id, "n": "again"}))["data"]["project"]
    assert view["cluster"]["id"] == new_id
    assert [c["deleted"] for c in view["all"]["nodes"]] == [False, True] or [
        c["deleted"] for c in view["all"]["nodes"]
    ] == [True, False]
    # The old cluster's snapshots are still listed, under the old cluster.
    assert {s["cluster"]["deleted"] for s in view["snapshots"]["nodes"]} == {True}
    # Deleting the new one leaves both names free.
    assert (await gql(DELETE, owner, {"p": project.id, "n": "again"}))["data"]


async def test_deleting_fails_the_snapshot_in_flight(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    cluster = await world.cluster(project, "busy", created_at=NOW - timedelta(days=1))
    await Snapshot.create(
        cluster=cluster, project_id=project.id, scheduled_time=NOW, status=SnapshotStatus.QUEUED,
        mongodb_version="8.0.0", storage_location="USA",
    )  # fmt: skip
    await gql(DELETE, owner, {"p": project.id, "n": "busy"})
    snapshot = await Snapshot.get(cluster_id=cluster.id)
    assert snapshot.status is SnapshotStatus.FAILED
    assert snapshot.failure_reason == "The cluster was deleted before this snapshot was taken."
    await engine().tick(NOW + timedelta(minutes=5))  # no completed one left: the failure goes
    assert not await Snapshot.filter(cluster_id=cluster.id).exists()


@pytest.mark.parametrize("role", [ProjectRole.PROJECT_OWNER, ProjectRole.PROJECT_CLUSTER_MANAGER])
async def test_upgrade_stops_the_flex_schedule_and_lists_cloud_backup(
    gql: GraphQLClient, world: World, role: ProjectRole
) -> None:
    project = await world.project()
    caller = await world.actor(project=project, role=role)
    cluster = await _history(world, project, "growing")
    kept = await _completed(cluster)
    body = await gql(UPGRADE, caller, {"p": project.id, "n": "growing"})
    answer = body["data"]["upgradeFlexCluster"]["cluster"]
    assert answer["tier"] == "M10" and answer["backupSettings"] == {"enabled": True}
    assert answer["providerSettings"]["providerName"] == "AWS"
    assert answer["providerSettings"]["diskSizeGB"] == 10.0
    assert answer["backupPolicy"] is None
    view = (await gql(PROJECT, caller, {"p": project.id, "n": "growing"}))["data"]["project"]
    assert view["cloudBackupClusters"]["nodes"] == [
        {"name": "growing", "tier": "M10", "backupSettings": {"enabled": True}}
    ]
    assert {s["id"] for s in view["snapshots"]["nodes"]} == set(kept)
    scheduler = engine()
    report = await scheduler.tick(NOW + timedelta(days=1, minutes=1))
    assert report.queued == 0
    assert await _completed(cluster) == {
        i: e for i, e in kept.items() if e > NOW + timedelta(days=1, minutes=1)
    }
    # Upgrading twice is refused: it is no longer a Flex cluster.
    assert _code(await gql(UPGRADE, caller, {"p": project.id, "n": "growing"})) == (
        "NOT_FLEX_CLUSTER"
    )


async def test_read_only_members_cannot_upgrade(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    await world.cluster(project, "small")
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    body = await gql(UPGRADE, reader, {"p": project.id, "n": "small"})
    assert _code(body) == "FORBIDDEN" and "Cluster Manager" in body["errors"][0]["message"]
    assert (await Cluster.get(live_name="small")).tier.value == "FLEX"


@pytest.mark.parametrize("backup", [True, False])
async def test_dedicated_clusters_register_with_backup_on_or_off(
    gql: GraphQLClient, world: World, backup: bool
) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    variables = {
        "in": {
            "projectId": project.id,
            "name": "big",
            "tier": "M30",
            "backingProviderName": "GCP",
            "regionName": "europe-west3",
            "backupEnabled": backup,
            "mongoDBVersion": "7.0",
        }
    }
    body = await gql(REGISTER, owner, variables)
    cluster = body["data"]["registerDedicatedCluster"]["cluster"]
    assert cluster["tier"] == "M30" and cluster["backupSettings"] == {"enabled": backup}
    assert cluster["mongoDBVersion"] == "7.0.0" and cluster["backupPolicy"] is None
    await engine().tick(NOW + timedelta(days=2))
    view = (await gql(PROJECT, owner, {"p": project.id, "n": "big"}))["data"]["project"]
    listed = [c["name"] for c in view["cloudBackupClusters"]["nodes"]]
    assert listed == (["big"] if backup else [])
    assert view["snapshots"]["nodes"] == []  # no Flex schedule, no Backup data
    flex = {**variables["in"], "tier": "FLEX", "name": "small"}
    assert _code(await gql(REGISTER, owner, {"in": flex})) == "INVALID_TIER"


@pytest.mark.parametrize("version", ["latest", "8", "1.2.33333333333333333", "8.0.0.1"])
async def test_register_refuses_versions_that_are_not_x_y_z(
    gql: GraphQLClient, world: World, version: str
) -> None:
    project = await world.project()
    variables = {
        "in": {
            "projectId": project.id, "name": "big", "tier": "M10", "backingProviderName": "AWS",
            "regionName": "us-east-1", "backupEnabled": True, "mongoDBVersion": version,
        }
    }  # fmt: skip
    body = await gql(REGISTER, await _owner(world, project), variables)
    assert _code(body) == "INVALID_VERSION"
    assert not await Cluster.exists()


async def test_organization_owners_are_told_to_join_first(gql: GraphQLClient, world: World) -> None:
    org = await world.org()
    project = await world.project(org)
    org_owner = await world.actor(org=org, org_role=OrgRole.ORG_OWNER)
    body = await gql(CREATE, org_owner, _create_input(project))
    assert _code(body) == "FORBIDDEN" and "addProjectOwner" in body["errors"][0]["message"]


async def test_upgrade_refusals_have_their_codes(gql: GraphQLClient, world: World) -> None:
    project = await world.project()
    owner = await _owner(world, project)
    await world.cluster(project, "small")
    await world.cluster(project, "big", tier=ClusterTier.M10)
    to_flex = """mutation($p: ID!, $n: String!) { upgradeFlexCluster(projectId: $p, name: $n,
      instanceSize: FLEX) { cluster { tier } } }"""
    assert _code(await gql(to_flex, owner, {"p": project.id, "n": "small"})) == "INVALID_TIER"
    for query in (UPGRADE, DELETE):
        assert _code(await gql(query, owner, {"p": project.id, "n": "big"})) == "NOT_FLEX_CLUSTER"
    update = {"in": {"projectId": project.id, "name": "big", "tags": []}}
    assert _code(await gql(UPDATE, owner, update)) == "NOT_FLEX_CLUSTER"
    source = await _history(world, project, "source", days=1)
    snapshot = await Snapshot.get(cluster_id=source.id)
    await gql(RESTORE, owner, _restore_input(snapshot, project, "small"))
    body = await gql(UPGRADE, owner, {"p": project.id, "n": "small"})
    assert _code(body) == "RESTORE_IN_PROGRESS"
    assert (await Cluster.get(live_name="small")).tier is ClusterTier.FLEX


async def test_ended_schedules_cost_the_tick_one_statement_when_nothing_is_due(
    gql: GraphQLClient, world: World
) -> None:
    from graphql_api.fleet.simulated import SimulatedFleet
    from graphql_api.services import cluster_lifecycle
    from tests.sqlcount import count_statements

    project = await world.project()
    owner = await _owner(world, project)
    for i in range(12):
        await _history(world, project, f"gone-{i}", days=2)
        await gql(DELETE, owner, {"p": project.id, "n": f"gone-{i}"})
    with count_statements() as statements:
        assert await daily_snapshots.prune_ended(NOW + timedelta(hours=1), engine().stores) == 0
        assert await cluster_lifecycle.settle_creating(SimulatedFleet()) == 0
    assert len(statements) == 2, statements


async def test_creating_clusters_settle_a_batch_a_tick_oldest_first(world: World) -> None:
    from graphql_api.domain.clusters import ClusterState
    from graphql_api.fleet.simulated import SimulatedFleet
    from graphql_api.services import cluster_lifecycle

    project = await world.project()
    made = [
        await world.cluster(project, f"new-{i}", created_at=NOW - timedelta(minutes=10 - i))
        for i in range(3)
    ]
    await Cluster.filter(id__in=[c.id for c in made]).update(state=ClusterState.CREATING)
    assert await cluster_lifecycle.settle_creating(SimulatedFleet(), batch_size=2) == 2
    states = {c.name: c.state for c in await Cluster.filter(project_id=project.id)}
    assert states == {
        "new-0": ClusterState.IDLE, "new-1": ClusterState.IDLE, "new-2": ClusterState.CREATING,
    }  # fmt: skip
    assert await cluster_lifecycle.settle_creating(SimulatedFleet(), batch_size=2) == 1
    assert (await Cluster.get(id=made[2].id)).state is ClusterState.IDLE
