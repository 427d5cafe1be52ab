"""Configuration from environment variables (documented in the README)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite://var/flex-backup.sqlite3"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    snapshot_root: Path = Path("var/snapshots")
    fleet: Literal["simulated", "mongodb"] = "simulated"
    scheduler_enabled: bool = True
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    snapshot_concurrency: int = Field(default=8, ge=1)
    snapshot_lease_seconds: int = Field(default=900, ge=10)
    snapshot_max_attempts: int = Field(default=24, ge=1)
    snapshot_retry_delay_seconds: int = Field(default=3600, ge=1)
    # Rows a tick queues, claims or prunes at once: its memory, whatever the fleet's size.
    snapshot_batch_size: int = Field(default=500, ge=1)
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
    # Request limits (each refusal is a clear error, never a 500).
    max_query_depth: int = Field(default=15, ge=1)
    max_query_tokens: int = Field(default=2000, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    # Requests per API key per minute, GraphQL and REST together (per process; 0: no limit).
    rate_limit_per_minute: int = Field(default=600, ge=0)
    # How long a process keeps a caller found by API key (PostgreSQL only; 0: never).
    auth_cache_seconds: float = Field(default=60.0, ge=0)
    # HTTP Digest with API key pairs (the REST API): the challenge's algorithm, nonce lifetime.
    digest_algorithm: Literal["SHA-256", "MD5"] = "SHA-256"
    digest_nonce_ttl_seconds: int = Field(default=300, ge=10)
    # OAuth2 client credentials (POST /api/oauth/token): an access token's lifetime, as Atlas.
    oauth_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    introspection_enabled: bool | None = None  # None: on in development, off in production
    cors_allowed_origins: list[str] = Field(default_factory=list)
    public_url: str | None = None  # base of download links; default: the request's own URL
    signing_key: str | None = None  # signs download links; required in production
    # Encrypts registered clusters' credentials at rest (a Fernet key); required in production.
    credentials_key: str | None = None
    download_link_ttl_seconds: int = Field(default=4 * 3600, ge=60)
    progress_poll_seconds: float = Field(default=0.5, gt=0)
    # The web console at /console (graphql_api/console/): static files on the public API.
    console_enabled: bool | None = None  # None: on in development, off in production
    # --- The real data plane (FLEET=mongodb): how the service reaches replica sets. ---
    mongodb_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    mongodb_server_selection_timeout_seconds: float = Field(default=10.0, gt=0)
    mongodb_socket_timeout_seconds: float = Field(default=120.0, gt=0)
    mongodb_status_timeout_seconds: float = Field(default=15.0, gt=0)  # one cluster's nodes()
    mongodb_status_concurrency: int = Field(default=32, ge=1)  # clusters asked at once
    mongodb_batch_size: int = Field(default=1000, ge=1)  # documents per find/insert batch
    mongodb_tls: bool = False  # true: require TLS (else as the connection string says)
    mongodb_tls_ca_file: Path | None = None
    mongodb_tls_allow_invalid_hostnames: bool = False
    mongodb_snapshot_reads: bool = True  # read each dump at one point in time (MongoDB 5.0+)
    mongodb_dump_concurrency_per_cluster: int = Field(default=1, ge=1)

    def production_problems(self) -> list[str]:
        """What production needs and is missing; empty in development, where
        every secret has a safe local default."""
        if self.environment != "production":
            return []
        problems = []
        if not self.signing_key:
            problems.append(
                "SIGNING_KEY must be set in production: it signs download links and must be "
                "the same on every replica (e.g. openssl rand -hex 32)."
            )
        elif len(self.signing_key) < MIN_SECRET_LENGTH:
            problems.append(
                f"SIGNING_KEY must be at least {MIN_SECRET_LENGTH} characters in production "
                "(e.g. openssl rand -hex 32)."
            )
        problems += _credentials_key_problems(self.credentials_key)
        return problems

    def cluster_credentials_key(self) -> str:
        """CREDENTIALS_KEY, or in development a key kept in var/ (0600) so stored
        credentials stay readable across restarts."""
        if self.credentials_key:
            return self.credentials_key
        if self.environment == "production":
            raise RuntimeError("CREDENTIALS_KEY must be set in production (encrypts credentials)")
        return _local_secret(Path("var/credentials.key"), new=_new_fernet_key)

    def download_signing_key(self) -> str:
        """SIGNING_KEY, or in development a key kept in var/ so links survive restarts."""
        if self.signing_key:
            return self.signing_key
        if self.environment == "production":
            raise RuntimeError("SIGNING_KEY must be set in production (signs download links)")
        return _local_secret(Path("var/signing.key"))

    @property
    def introspection(self) -> bool:
        if self.introspection_enabled is None:
            return self.environment == "development"
        return self.introspection_enabled

    @property
    def graphiql(self) -> bool:
        if self.graphiql_enabled is None:
            return self.environment == "development"
        return self.graphiql_enabled

    @property
    def console(self) -> bool:
        if self.console_enabled is None:
            return self.environment == "development"
        return self.console_enabled


def _credentials_key_problems(key: str | None) -> list[str]:
    how = 'e.g. python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())"'
    if not key:
        return [
            "CREDENTIALS_KEY must be set in production: it encrypts clusters' credentials "
            f"at rest and must be the same on every replica ({how})."
        ]
    try:
        Fernet(key)
    except ValueError:
        return [f"CREDENTIALS_KEY must be a Fernet key: 32 url-safe base64-encoded bytes ({how})."]
    return []


def _new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def _local_secret(path: Path, new: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
    """A development secret kept in a file only its owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)  # an older version wrote it world-readable
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new())
    return path.read_text(encoding="utf-8").strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
