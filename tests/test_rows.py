"""Rows made by services/rows.py (pages, find_cluster) equal the models
Tortoise makes of the same rows: every attribute, value and type, so code
reading a page's rows cannot tell them apart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.models import Model

from graphql_api.models import BackupJob, Cluster, DeliveryType, Project, Snapshot
from graphql_api.services.rows import RowBuilder, numbered
from tests.conftest import NOW, World, job_row


def _fields(row: Model) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row._meta.fields_map if name in vars(row)}


def _same(ours: Model, theirs: Model) -> None:
    assert type(ours) is type(theirs)
    assert _fields(ours) == _fields(theirs)
    for name, value in _fields(theirs).items():
        mine = getattr(ours, name)
        assert type(mine) is type(value), name
        if isinstance(value, datetime):
            assert mine.utcoffset() == value.utcoffset(), name
    for flag in ("_partial", "_saved_in_db", "_custom_generated_pk"):
        assert getattr(ours, flag) == getattr(theirs, flag), flag


async def _built(model: type[Model], row_id: str) -> Model:
    db = connections.get("default")
    table = model._meta.db_table
    _, records = await db.execute_query(
        numbered(db, f"SELECT * FROM {table} WHERE id = {{}}"),  # noqa: S608
        [row_id],
    )
    built: Model = RowBuilder(model)(records[0])
    by_position: Model = RowBuilder.of(model, "", tuple(records[0].keys()))(records[0])
    _same(by_position, built)  # read by position (pages) as by name
    return built


async def test_rows_built_by_hand_equal_tortoises_models(world: World) -> None:
    project = await world.project()
    cluster = await world.cluster(project, "c1")
    [snapshot] = await world.completed_snapshots(cluster, 1)
    job = job_row(DeliveryType.RESTORE, cluster, NOW, into=cluster)
    await job.save()
    for model, row_id in (
        (Project, project.id),
        (Cluster, cluster.id),
        (Snapshot, snapshot.id),
        (BackupJob, job.id),
    ):
        theirs = await model.get(id=row_id)
        _same(await _built(model, row_id), theirs)


async def test_a_built_row_saves_like_a_loaded_one(world: World) -> None:
    project = await world.project()
    cluster = await world.cluster(project, "c1")
    built = await _built(Cluster, cluster.id)
    assert isinstance(built, Cluster)
    built.name = "renamed"
    await built.save(update_fields=["name"])
    assert (await Cluster.get(id=cluster.id)).name == "renamed"
