"""docker/: the compose file is valid Compose, and the image's commands run.

There is no Docker engine here, so the containers' commands run as plain
processes with the environment the Dockerfile and compose.yaml give them;
MinIO is stood in for by moto's S3 server on loopback, and PostgreSQL by a
SQLite file (the rest of the suite runs on PostgreSQL in CI).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml
from moto.server import ThreadedMotoServer

from graphql_api.domain.locations import StorageLocation
from tests.conftest import ROOT, free_port

DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
VENV_BIN = Path(sys.executable).parent
SECRETS = {
    "SIGNING_KEY": "deploy-test-signing-key-0123456789abcdef",
    "CREDENTIALS_KEY": "ZGVwbG95LXRlc3QtY3JlZGVudGlhbHMta2V5LTMyYiE=",
}


def _check_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_follows_the_compose_specification() -> None:
    result = _check_compose(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_lint_catches_a_misplaced_key(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(
        COMPOSE.read_text().replace("    deploy:\n      replicas: 2", "    replicas: 2")
    )
    result = _check_compose(broken)
    assert result.returncode != 0 and "replicas" in result.stdout


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, enough for our file."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value).replace("$$", "$")


def _service_env(compose: dict[str, Any], service: str) -> dict[str, str]:
    raw = compose["services"][service].get("environment", {})
    return {k: _interpolate(str(v), SECRETS) for k, v in raw.items()}


def test_compose_runs_replicas_a_scheduler_and_a_bucket_per_location(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert {"postgres", "minio", "buckets", "migrate", "api", "scheduler", "proxy"} <= set(services)
    api, scheduler = services["api"], services["scheduler"]
    assert api["deploy"]["replicas"] == 2
    assert api["command"] == ["graphql-api", "serve"]
    assert scheduler["command"] == ["graphql-api", "scheduler"]
    api_env, scheduler_env = _service_env(compose, "api"), _service_env(compose, "scheduler")
    assert api_env["SCHEDULER_ENABLED"] == "false"  # one scheduler process, not one per replica
    assert scheduler_env.get("SCHEDULER_ENABLED", "true") != "false"
    for name in ("api", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    made = _interpolate(" ".join(services["buckets"]["command"]), SECRETS)
    for location in StorageLocation:
        url = api_env[f"STORAGE_URL_{location.value}"]
        assert url == scheduler_env[f"STORAGE_URL_{location.value}"]
        bucket = url.removeprefix("s3://")
        assert bucket.replace(location.value.lower(), "$location") in made, bucket


def _dockerfile() -> tuple[list[str], list[str], dict[str, str]]:
    """The image's CMD, HEALTHCHECK command and ENV."""
    text = DOCKER.joinpath("Dockerfile").read_text().split("\nFROM ")[-1]
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))  # type: ignore[union-attr]
    check = json.loads(re.search(r"^HEALTHCHECK .*CMD (\[.*\])$", text, re.M).group(1))  # type: ignore[union-attr]
    env = dict(
        pair.split("=", 1)
        for line in re.findall(r"^ENV (.*)$", text, re.M)
        for pair in shlex.split(line)
    )
    return cmd, check, env


@pytest.fixture(scope="module")
def s3(compose: dict[str, Any]) -> Iterator[str]:
    """moto standing in for MinIO, with the buckets the `buckets` job makes."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    env = _service_env(compose, "api")
    admin = boto3.client(
        "s3",
        endpoint_url=url,
        region_name=env["S3_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    for location in StorageLocation:
        admin.create_bucket(Bucket=env[f"STORAGE_URL_{location.value}"].removeprefix("s3://"))
    yield url
    server.stop()


def _container_env(
    compose: dict[str, Any], service: str, s3: str, tmp_path: Path, port: int
) -> dict[str, str]:
    _, _, image_env = _dockerfile()
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        **image_env,
        **_service_env(compose, service),
        "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}",
        "S3_ENDPOINT_URL": s3,
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }


def _start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"did not stop within 20 s of SIGTERM:\n{output}") from None
    return process.returncode, output


def test_image_start_command_serves_ready_in_production(
    compose: dict[str, Any], s3: str, tmp_path: Path
) -> None:
    cmd, healthcheck, _ = _dockerfile()
    port = free_port()
    env = _container_env(compose, "api", s3, tmp_path, port)
    server = _start(cmd, env, tmp_path)
    try:
        deadline = time.monotonic() + 60
        ready = ["graphql-api", "healthcheck", "--ready"]
        assert compose["services"]["api"]["healthcheck"]["test"] == ["CMD", *ready]
        while subprocess.run(ready, env=env, capture_output=True, check=False).returncode:  # noqa: S603
            assert server.poll() is None, server.communicate()[0]
            assert time.monotonic() < deadline, "never became ready"
            time.sleep(0.3)
        assert subprocess.run(healthcheck, env=env, check=False).returncode == 0  # noqa: S603
        base = f"http://127.0.0.1:{port}"
        checks = httpx.get(f"{base}/readyz").json()["checks"]
        assert checks == {"database": "ok", "settings": "ok"} | {
            f"storage:{loc.value}": "ok" for loc in StorageLocation
        }
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()  # production: no IDE
        anonymous = httpx.post(f"{base}/graphql", json={"query": "{ __typename }"})
        assert anonymous.status_code == 401
    finally:
        code, output = _stop(server)
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly.
    assert code in (0, -signal.SIGTERM) and "Application shutdown complete" in output, output


def test_scheduler_service_stops_cleanly_on_sigterm(
    compose: dict[str, Any], s3: str, tmp_path: Path
) -> None:
    env = _container_env(compose, "scheduler", s3, tmp_path, free_port())
    migrate = ["graphql-api", "migrate"]
    assert subprocess.run(migrate, env=env, cwd=tmp_path, check=False).returncode == 0  # noqa: S603
    scheduler = _start(compose["services"]["scheduler"]["command"], env, tmp_path)
    assert scheduler.stdout is not None
    first = scheduler.stdout.readline()
    assert "ticking every" in first, first
    code, output = _stop(scheduler)
    assert code == 0, first + output
