"""The periodic task: in the API process by default, or as its own process."""

from graphql_api.scheduler.runner import run_periodically
from graphql_api.scheduler.tick import SnapshotScheduler, TickReport

__all__ = ["SnapshotScheduler", "TickReport", "run_periodically"]
