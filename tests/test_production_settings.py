"""Production refuses to start without what it needs; development secrets stay private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.settings import Settings, get_settings
from tests.conftest import NOW, ROOT


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it; one that starts instead of refusing
    is stopped after a few seconds and reported as such."""
    try:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "graphql_api", *args],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args} started instead of refusing to")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SIGNING_KEY", "CREDENTIALS_KEY")}
    env["CREDENTIALS_KEY"] = os.environ["CREDENTIALS_KEY"]  # unset it to test its absence
    return {
        **env,
        "ENVIRONMENT": "production",
        "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}",
        "SNAPSHOT_ROOT": str(tmp_path / "snapshots"),
        **extra,
    }


@pytest.mark.parametrize(
    "command", [["serve", "--port", "1"], ["scheduler", "--once"], ["scheduler"]]
)
def test_production_refuses_to_start_without_a_signing_key(
    tmp_path: Path, command: list[str]
) -> None:
    done = run_cli(_production_env(tmp_path), *command)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one clear line, no traceback
    assert "SIGNING_KEY" in lines[0] and "production" in lines[0]


def test_production_refuses_a_signing_key_too_short_to_be_secret(tmp_path: Path) -> None:
    done = run_cli(_production_env(tmp_path, SIGNING_KEY="short"), "scheduler", "--once")
    assert done.returncode != 0
    assert "SIGNING_KEY" in done.stderr and "32" in done.stderr


def test_production_starts_with_its_settings(tmp_path: Path) -> None:
    env = _production_env(tmp_path, SIGNING_KEY="k" * 40)
    assert run_cli(env, "migrate").returncode == 0
    done = run_cli(env, "scheduler", "--once")
    assert done.returncode == 0, done.stderr


async def test_readiness_fails_in_production_without_a_signing_key() -> None:
    settings = get_settings().model_copy(update={"environment": "production", "signing_key": None})
    app = create_app(settings, manage_orm=False, clock=lambda: NOW)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["settings"].startswith("SIGNING_KEY")


def test_development_signing_key_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(signing_key=None, environment="development")
    key = settings.download_signing_key()
    path = tmp_path / "var" / "signing.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.download_signing_key() == key  # kept across restarts
    path.chmod(0o644)  # written by an older version: tightened when read
    assert settings.download_signing_key() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- CREDENTIALS_KEY (clusters' credentials at rest) ---


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["scheduler", "--once"]])
def test_production_refuses_to_start_without_a_credentials_key(
    tmp_path: Path, command: list[str]
) -> None:
    env = _production_env(tmp_path, SIGNING_KEY="k" * 40)
    del env["CREDENTIALS_KEY"]
    done = run_cli(env, *command)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "CREDENTIALS_KEY" in lines[0] and "production" in lines[0]


def test_production_refuses_a_credentials_key_that_is_not_a_fernet_key(tmp_path: Path) -> None:
    env = _production_env(tmp_path, SIGNING_KEY="k" * 40, CREDENTIALS_KEY="not-a-key")
    done = run_cli(env, "scheduler", "--once")
    assert done.returncode != 0 and "Fernet" in done.stderr
    assert "not-a-key" not in done.stderr  # a secret is never echoed


def test_development_credentials_key_is_private_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.chdir(tmp_path)
    settings = Settings(credentials_key=None, environment="development")
    key = settings.cluster_credentials_key()
    Fernet(key)  # a valid key
    path = tmp_path / "var" / "credentials.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.cluster_credentials_key() == key
