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
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    snapshot_concurrency: int = Field(default=8, ge=1)
    snapshot_lease_seconds: int = Field(default=900, ge=10)
    snapshot_max_attempts: int = Field(default=24, ge=1)
    snapshot_retry_delay_seconds: int = Field(default=3600, ge=1)
    # Per storage location: s3://bucket[/prefix] or file:///path; unset: SNAPSHOT_ROOT/<LOCATION>.
    storage_url_australia: str | None = None
    storage_url_germany: str | None = None
    storage_url_asia: str | None = None
    storage_url_usa: str | None = None
    storage_url_ireland: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_allow_http: bool = False
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
