"""The clock, injected everywhere time matters, so tests and replays move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told (replays, tests, one tick's "now")."""

    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now
