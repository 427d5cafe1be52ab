"""The daily schedule, retention and the Flex policy, as pure rules."""

from datetime import UTC, datetime, time, timedelta

import pytest

from graphql_api.domain.attempts import DAY_ENDED, after_failure, day_ended_reason
from graphql_api.domain.clusters import ClusterTier
from graphql_api.domain.policy import flex_backup_policy
from graphql_api.domain.retention import SnapshotRef, expiration, expirations, to_prune
from graphql_api.domain.roles import (
    ORG_OWNER_MUST_JOIN,
    OrgRole,
    ProjectRole,
    can_read_project,
    manage_backups_refusal,
)
from graphql_api.domain.schedule import due_slot, first_slot, latest_due_slot, next_slot

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def test_first_slot_is_a_day_after_creation_not_before() -> None:
    assert first_slot(CREATED) == CREATED + DAY
    assert latest_due_slot(CREATED, CREATED + DAY - timedelta(seconds=1)) is None
    assert latest_due_slot(CREATED, CREATED + DAY) == CREATED + DAY


def test_slots_fall_at_the_same_utc_time_each_day() -> None:
    now = CREATED + 5 * DAY + timedelta(hours=3)
    assert latest_due_slot(CREATED, now) == CREATED + 5 * DAY
    assert next_slot(CREATED, now) == CREATED + 6 * DAY
    assert next_slot(CREATED, CREATED) == CREATED + DAY


def test_missed_slots_are_counted_not_backfilled() -> None:
    last = CREATED + 2 * DAY
    slot = due_slot(CREATED, CREATED + 6 * DAY + timedelta(hours=1), last)
    assert slot is not None
    assert slot.scheduled_time == CREATED + 6 * DAY
    assert slot.missed == 3  # days 3, 4, 5
    assert due_slot(CREATED, CREATED + 6 * DAY, CREATED + 6 * DAY) is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        latest_due_slot(CREATED, datetime(2026, 3, 5))


def test_retention_keeps_the_last_eight_completed() -> None:
    refs = [
        SnapshotRef(str(i), CREATED + i * DAY, completed=(i != 4), finished=True)
        for i in range(1, 12)
    ]
    pruned = to_prune(refs)
    kept_completed = [r.id for r in refs if r.completed and r.id not in pruned]
    assert len(kept_completed) == 8
    assert set(pruned) == {"1", "2"}  # the failed day 4 is newer than the oldest kept (3)
    assert expiration(CREATED) == CREATED + 8 * DAY


def test_retention_never_prunes_in_flight_work() -> None:
    refs = [SnapshotRef(str(i), CREATED + i * DAY, completed=True, finished=True) for i in range(9)]
    refs.append(SnapshotRef("old-running", CREATED - DAY, completed=False, finished=False))
    assert to_prune(refs) == ["0"]


def test_flex_policy_and_its_refusals() -> None:
    now = CREATED + 3 * DAY + timedelta(hours=1)
    p = flex_backup_policy(ClusterTier.FLEX, CREATED, True, now)
    assert p is not None
    assert p.time_of_day_utc == time(9, 30)
    assert p.first_snapshot_time == CREATED + DAY
    assert p.next_snapshot_time == CREATED + 4 * DAY
    assert p.retained_snapshots == 8
    disabled = flex_backup_policy(ClusterTier.FLEX, CREATED, False, now)
    assert disabled is not None and disabled.next_snapshot_time is None
    assert flex_backup_policy(ClusterTier.M10, CREATED, True, now) is None


def test_role_rules() -> None:
    assert can_read_project(set(), {ProjectRole.PROJECT_READ_ONLY})
    assert can_read_project({OrgRole.ORG_OWNER}, set())
    assert not can_read_project({OrgRole.ORG_MEMBER}, set())
    assert manage_backups_refusal(set(), {ProjectRole.PROJECT_OWNER}) is None
    assert manage_backups_refusal({OrgRole.ORG_OWNER}, set()) == ORG_OWNER_MUST_JOIN
    assert "Project Owner" in (manage_backups_refusal(set(), {ProjectRole.PROJECT_READ_ONLY}) or "")


def test_expirations_follow_the_last_eight_completed() -> None:
    day = lambda n: CREATED + n * DAY  # noqa: E731
    done = [SnapshotRef(str(i), day(i), completed=True, finished=True) for i in range(1, 9)]
    assert expirations(done) == {str(i): day(8 + i) for i in range(1, 9)}
    # Day 9 failed for good: every kept snapshot falls out a day later.
    failed = [*done, SnapshotRef("9", day(9), completed=False, finished=True)]
    assert expirations(failed) == {str(i): day(9 + i) for i in range(1, 9)}
    # Day 9 in flight, retried at 03:00: the oldest goes when that attempt succeeds.
    retry = day(9) + timedelta(hours=3)
    flying = [*done, SnapshotRef("9", day(9), completed=False, finished=False, next_attempt=retry)]
    found = expirations(flying)
    assert found["1"] == retry
    assert found["2"] == day(10) and found["8"] == day(16)


def test_a_failure_is_retried_within_its_day_only() -> None:
    slot = CREATED + DAY
    first = after_failure(
        "No healthy secondary.", attempts=1, now=slot, scheduled_time=slot,
        max_attempts=24, retry_delay=timedelta(hours=1),
    )  # fmt: skip
    assert first.retry_at == slot + timedelta(hours=1)
    assert first.reason == "No healthy secondary. Will retry while the slot's day lasts."
    late = after_failure(
        "No healthy secondary.", attempts=5, now=slot + timedelta(hours=23, minutes=30),
        scheduled_time=slot, max_attempts=24, retry_delay=timedelta(hours=1),
    )  # fmt: skip
    assert late.retry_at is None
    assert "day ended" in late.reason and "retry" not in late.reason.lower()
    spent = after_failure(
        "Boom.", attempts=3, now=slot, scheduled_time=slot,
        max_attempts=3, retry_delay=timedelta(hours=1),
    )  # fmt: skip
    assert spent.retry_at is None and spent.reason == "Boom. Given up after 3 attempt(s)."
    assert day_ended_reason(first.reason, attempts=1, was_running=False) == (
        f"No healthy secondary. {DAY_ENDED}"
    )
