"""Tortoise ORM configuration, shared by the app, the CLI and Tortoise's own CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        "connections": {"default": database_url},
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


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads graphql_api.db.TORTOISE_ORM (see pyproject.toml);
    # computed lazily so importing this module never reads the environment.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().database_url)
    raise AttributeError(name)
