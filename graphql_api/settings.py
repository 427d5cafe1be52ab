"""Configuration from environment variables (documented in the README)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite://var/flex-backup.sqlite3"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    snapshot_root: Path = Path("var/snapshots")
    fleet: Literal["simulated"] = "simulated"
    scheduler_enabled: bool = True
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    graphiql_enabled: bool | None = None  # None: on in development, off in production
    log_level: str = "INFO"

    @property
    def graphiql(self) -> bool:
        if self.graphiql_enabled is None:
            return self.environment == "development"
        return self.graphiql_enabled


@lru_cache
def get_settings() -> Settings:
    return Settings()
