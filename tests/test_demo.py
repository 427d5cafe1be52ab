"""`make run`'s demo: the real scheduler replayed over the past days."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from graphql_api.demo import NEWBORN, OUTAGE_CLUSTER, seed_demo
from graphql_api.models import Cluster, Snapshot, SnapshotStatus
from graphql_api.settings import Settings


async def test_demo_history(tmp_path: Path) -> None:
    settings = Settings(snapshot_root=tmp_path / "snapshots")  # type: ignore[call-arg]
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    result = await seed_demo(settings, now)
    assert result.created and len(result.keys) == 3
    for cluster in await Cluster.filter(project_id=result.project.id):
        rows = await Snapshot.filter(cluster_id=cluster.id).order_by("scheduled_time")
        completed = [s for s in rows if s.status is SnapshotStatus.COMPLETED]
        if cluster.name == NEWBORN[0] or cluster.tier != "FLEX":
            assert rows == [], cluster.name
            continue
        assert len(completed) == 8, cluster.name  # older ones already pruned
        assert all(s.scheduled_time > now - timedelta(days=9) for s in completed)
        failed = [s for s in rows if s.status is SnapshotStatus.FAILED]
        if cluster.name == OUTAGE_CLUSTER:
            [outage] = failed
            assert "No healthy secondary" in (outage.failure_reason or "")
        else:
            assert failed == [], cluster.name
    files = list((tmp_path / "snapshots").rglob("*.archive.gz"))
    assert len(files) == 8 * 7  # seven Flex clusters with history
    again = await seed_demo(settings, now)
    assert not again.created
