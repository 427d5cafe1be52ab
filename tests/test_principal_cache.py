"""Callers kept by API key (services/principal_cache.py): kept only while
PostgreSQL tells the process of every change, and never served once their
key or roles changed, whoever changed them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from graphql_api.db import postgres_dsn
from graphql_api.domain import api_keys
from graphql_api.domain.roles import ProjectRole
from graphql_api.services.api_keys import revoke_api_key
from graphql_api.services.authentication import Principal, authenticate, load_principal
from graphql_api.services.principal_cache import PRINCIPALS, PrincipalCache, listen_for_changes
from tests import principals
from tests.conftest import NOW, Actor, World
from tests.sqlcount import count_statements


@pytest.fixture
def dsn(database_url: str) -> str:
    found = postgres_dsn(database_url)
    if found is None:
        pytest.skip("callers are kept on PostgreSQL only (it notifies changes)")
    return found


@pytest.fixture
async def listening(dsn: str) -> AsyncIterator[None]:
    async with principals.listening(dsn):
        yield


async def _who(actor: Actor) -> tuple[Principal | None, int]:
    """The caller the actor's key stands for, and the statements it took."""
    with count_statements() as statements:
        principal = await authenticate(f"Bearer {actor.token}", NOW)
    return principal, len(statements)


async def _key_id(actor: Actor) -> str:
    parsed = api_keys.parse_key(actor.token)
    assert parsed is not None
    return parsed.key_id


async def test_a_kept_caller_costs_no_statement(dsn: str, listening: None, world: World) -> None:
    project = await world.project()
    actor = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    await principals.settled(dsn)
    first, read = await _who(actor)
    again, none = await _who(actor)
    assert first is not None and read >= 1
    assert again is first and none == 0
    assert again.project_roles[project.id] == {ProjectRole.PROJECT_OWNER}


async def test_the_secret_is_checked_on_every_request(
    dsn: str, listening: None, world: World
) -> None:
    actor = await world.actor()
    await principals.settled(dsn)
    assert (await _who(actor))[0] is not None
    wrong = Actor(user=actor.user, token=actor.token[:-4] + "AAAA")
    assert (await _who(wrong)) == (None, 0)
    assert (await _who(actor))[0] is not None


async def test_a_key_revoked_here_is_refused_on_the_next_request(dsn: str, world: World) -> None:
    """This process forgets at once, without waiting to hear from PostgreSQL:
    here nothing listens, so only its own forgetting can refuse the key."""
    actor = await world.actor()
    PRINCIPALS.start(60.0)
    try:
        assert (await _who(actor))[0] is not None
        assert (await _who(actor))[1] == 0
        await revoke_api_key(await load_principal(actor.user), await _key_id(actor), NOW)
        assert (await _who(actor))[0] is None
    finally:
        PRINCIPALS.stop()


async def test_changes_made_elsewhere_are_heard(dsn: str, listening: None, world: World) -> None:
    """Another replica, the CLI or a hand-written statement: PostgreSQL tells."""
    project = await world.project()
    actor = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    reader = await world.actor(project=project, role=ProjectRole.PROJECT_READ_ONLY)
    assert (await _who(actor))[0] is not None and (await _who(reader))[0] is not None

    await principals.elsewhere(
        dsn, "UPDATE project_memberships SET role = $1 WHERE user_id = $2",
        ProjectRole.PROJECT_READ_ONLY.value, actor.user.id,
    )  # fmt: skip

    async def demoted() -> bool:
        principal, _ = await _who(actor)
        assert principal is not None
        return principal.project_roles[project.id] == {ProjectRole.PROJECT_READ_ONLY}

    await principals.until(demoted)

    await principals.elsewhere(
        dsn, "UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2",
        NOW - timedelta(minutes=1), reader.user.id,
    )  # fmt: skip

    async def refused() -> bool:
        return (await _who(reader))[0] is None

    await principals.until(refused)


async def test_the_hourly_last_use_does_not_make_everyone_read_again(
    dsn: str, listening: None, world: World
) -> None:
    actor, other = await world.actor(), await world.actor()
    await principals.settled(dsn)
    assert (await _who(actor))[0] is not None and (await _who(other))[0] is not None
    generation = PRINCIPALS.generation
    later = NOW + timedelta(hours=2)  # the actor's key records its use again
    with count_statements() as statements:
        assert await authenticate(f"Bearer {actor.token}", later) is not None
    assert len(statements) == 1  # the UPDATE of last_used_at, nothing read
    await principals.settled(dsn)  # a notification of the UPDATE would have come before this one
    assert PRINCIPALS.generation == generation + 1  # the barrier's alone


async def test_a_lost_listener_keeps_nothing_until_it_listens_again(
    dsn: str, listening: None, world: World
) -> None:
    actor = await world.actor()
    assert (await _who(actor))[0] is not None
    await principals.elsewhere(
        dsn,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    await principals.until(lambda: not PRINCIPALS.enabled or len(PRINCIPALS) == 0)
    await principals.until(lambda: PRINCIPALS.enabled)  # listening again
    principal, read = await _who(actor)
    assert principal is not None and read >= 1  # what was kept before is gone


async def test_nothing_is_kept_without_a_listener(world: World) -> None:
    """SQLite, or PostgreSQL before its listener is up: every request reads."""
    actor = await world.actor()
    assert not PRINCIPALS.enabled
    for _ in range(2):
        principal, read = await _who(actor)
        assert principal is not None and read >= 1


class _Deaf:
    """A connection whose LISTEN does nothing (as through a pooler in
    transaction mode, or an idle flow dropped without a word)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def add_listener(self, *args: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


async def test_a_listener_that_hears_nothing_keeps_nothing(dsn: str, world: World) -> None:
    async def deaf() -> Any:
        return _Deaf(await asyncpg.connect(dsn))

    actor = await world.actor()
    async with principals.listening(dsn, connect=deaf, heartbeat_seconds=0.1):
        # It keeps at first; its first heartbeat goes unheard and it stops.
        await principals.until(lambda: not PRINCIPALS.enabled)
        principal, read = await _who(actor)
        assert principal is not None and read >= 1
        principal, read = await _who(actor)
        assert read >= 1  # nothing is kept while it cannot hear
    assert not PRINCIPALS.enabled


async def test_without_the_triggers_nothing_is_kept(dsn: str) -> None:
    class NoTriggers(_Deaf):
        async def fetchval(self, *args: object) -> int:
            return 0

    async def connect() -> Any:
        return NoTriggers(await asyncpg.connect(dsn))

    stop = asyncio.Event()
    task = asyncio.create_task(listen_for_changes(connect, 60.0, stop, retry_seconds=0.05))
    await asyncio.sleep(0.3)
    assert not PRINCIPALS.enabled
    stop.set()
    await task


def test_a_read_begun_before_a_change_is_not_kept() -> None:
    cache = PrincipalCache()
    cache.start(60.0)
    principal = object()
    generation = cache.generation
    cache.changed()  # while the read was on its way
    cache.keep("k1", "hash", principal, None, generation)  # type: ignore[arg-type]
    assert cache.get("k1") is None
    cache.keep("k1", "hash", principal, None, cache.generation)  # type: ignore[arg-type]
    assert cache.get("k1") is not None and cache.get("k1").principal is principal  # type: ignore[union-attr]


def test_kept_callers_expire_and_the_oldest_go_first() -> None:
    now = [1000.0]
    cache = PrincipalCache(max_entries=2, monotonic=lambda: now[0])
    cache.start(60.0)
    for key in ("k1", "k2", "k3"):
        cache.keep(key, "hash", object(), None, cache.generation)  # type: ignore[arg-type]
    assert cache.get("k1") is None and cache.get("k2") is not None
    now[0] += 61
    assert cache.get("k2") is None and cache.get("k3") is None
    cache.stop()
    cache.keep("k4", "hash", object(), None, cache.generation)  # type: ignore[arg-type]
    assert cache.get("k4") is None  # nothing is kept while nobody listens
