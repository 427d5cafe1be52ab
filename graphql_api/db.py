"""Tortoise ORM configuration, shared by the app, the CLI and Tortoise's own CLI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from graphql_api.settings import get_settings

MODELS_MODULE = "graphql_api.models"
# The simulated data plane keeps its own tables in the same app.
SIMULATED_FLEET_MODULE = "graphql_api.fleet.simulated_state"
MIGRATIONS_MODULE = "graphql_api.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE, SIMULATED_FLEET_MODULE],
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> str | dict[str, Any]:
    """The URL, or for PostgreSQL its expansion with ``reset``: asyncpg's pool
    resets every connection it gets back (``SELECT pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL``), one more round trip per request.
    Nothing here changes a session (no SET, LISTEN, advisory lock or cursor
    outside a transaction), so that reset is skipped; asyncpg still rolls back
    a transaction left open before calling it."""
    if not database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return database_url
    config = expand_db_url(database_url)
    config["credentials"]["reset"] = keep_session
    return config


def postgres_dsn(database_url: str) -> str | None:
    """The URL as asyncpg takes it, without the pool's own parameters; None for SQLite."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in ("postgres", "postgresql", "asyncpg"):
        return None
    return f"postgresql://{rest.partition('?')[0]}"


def connection_of_its_own(database_url: str) -> Callable[[], Awaitable[Any]] | None:
    """How to open a PostgreSQL connection outside the pool, with the same
    host, credentials, database and TLS as the pool's; None for SQLite."""
    if postgres_dsn(database_url) is None:
        return None
    credentials = expand_db_url(database_url)["credentials"]
    wanted = ("host", "port", "user", "password", "database", "ssl")
    arguments = {k: credentials[k] for k in wanted if credentials.get(k) is not None}

    async def connect() -> Any:
        import asyncpg  # type: ignore[import-untyped]

        return await asyncpg.connect(**arguments)

    return connect


async def keep_session(connection: object) -> None:
    """asyncpg's pool ``reset``: nothing to undo (see ``_connection``)."""


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads graphql_api.db.TORTOISE_ORM (see pyproject.toml);
    # computed lazily so importing this module never reads the environment.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().database_url)
    raise AttributeError(name)
