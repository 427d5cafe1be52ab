"""Pure rules of the cluster lifecycle: names, tags, versions, ended retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphql_api.domain.clusters import (
    ResourceTag,
    cluster_name_problem,
    full_version,
    tags_problem,
)
from graphql_api.domain.regions import CloudProvider, region_codes
from graphql_api.domain.restores import can_read_snapshot
from graphql_api.domain.retention import SnapshotRef, to_prune_ended

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize("name", ["a", "A1", "flex-1", "9-lives", "a" * 64])
def test_atlas_names_are_accepted(name: str) -> None:
    assert cluster_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "-a", "a_b", "a b", "a.b", "é", "a" * 65, "a\n"])
def test_other_names_are_refused(name: str) -> None:
    assert cluster_name_problem(name) is not None


def test_tags_are_limited_like_atlas_resource_tags() -> None:
    assert tags_problem([ResourceTag("k" * 255, "v" * 255)]) is None
    assert tags_problem([ResourceTag("", "v")]) is not None
    assert tags_problem([ResourceTag("k", "v" * 256)]) is not None
    assert tags_problem([ResourceTag("k", "1"), ResourceTag("k", "2")]) is not None
    assert tags_problem([ResourceTag(f"k{i}", "v") for i in range(51)]) is not None


def test_versions_are_shown_as_x_y_z_and_stay_compatible() -> None:
    assert full_version("8.0") == "8.0.0" and full_version("7.0.12") == "7.0.12"
    with pytest.raises(ValueError):
        full_version("latest")
    assert can_read_snapshot("8.0.0", "7.0.12") and can_read_snapshot("8.0.4", "8.0")
    assert not can_read_snapshot("7.0.0", "8.0.0")


def test_region_codes_list_a_providers_catalogue() -> None:
    aws = region_codes(CloudProvider.AWS)
    assert "us-east-1" in aws and "europe-west3" not in aws


def _done(i: int, expires: datetime) -> SnapshotRef:
    return SnapshotRef(f"c{i}", T0 + i * DAY, completed=True, finished=True, expiration=expires)


def _failed(i: int) -> SnapshotRef:
    return SnapshotRef(f"f{i}", T0 + i * DAY, completed=False, finished=True)


def test_an_ended_schedule_keeps_each_snapshot_to_its_expiration() -> None:
    refs = [_done(1, T0 + 5 * DAY), _failed(2), _done(3, T0 + 7 * DAY), _failed(4)]
    assert to_prune_ended(refs, T0 + 4 * DAY) == []
    # The oldest completed expires: it goes, with the failure older than what is left.
    assert to_prune_ended(refs, T0 + 5 * DAY) == ["c1", "f2"]
    # Nothing completed left: every failure goes too.
    assert sorted(to_prune_ended(refs, T0 + 7 * DAY)) == ["c1", "c3", "f2", "f4"]


def test_an_ended_schedule_never_prunes_work_in_flight() -> None:
    running = SnapshotRef("r", T0, completed=False, finished=False)
    assert to_prune_ended([running], T0 + 30 * DAY) == []


def test_the_tick_looks_again_at_the_first_expiration_left() -> None:
    from graphql_api.domain.retention import next_ended_expiry

    refs = [_done(1, T0 + 5 * DAY), _failed(2), _done(3, T0 + 7 * DAY)]
    assert next_ended_expiry(refs, T0) == T0 + 5 * DAY
    assert next_ended_expiry([_failed(2)], T0) == T0  # only failures: prune them now
    assert next_ended_expiry([], T0) is None  # nothing left: never again
