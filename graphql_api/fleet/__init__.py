"""The data plane: talks to cluster nodes, dumps and restores archives."""

from __future__ import annotations

from graphql_api.clock import Clock, utc_now
from graphql_api.fleet.base import Fleet
from graphql_api.settings import Settings


def build_fleet(settings: Settings, clock: Clock = utc_now) -> Fleet:
    """The adapter FLEET names: ``simulated`` (the default) or ``mongodb``."""
    if settings.fleet == "mongodb":
        from graphql_api.fleet.mongodb import MongoFleet
        from graphql_api.fleet.mongodb_connect import MongoOptions

        return MongoFleet(MongoOptions.from_settings(settings))
    from graphql_api.fleet.simulated import SimulatedFleet

    return SimulatedFleet(clock)


__all__ = ["Fleet", "build_fleet"]
