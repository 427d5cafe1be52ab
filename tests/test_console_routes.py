"""How the server serves the web console: /console, its headers, its setting, its package data."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.console.routes import STATIC
from graphql_api.settings import Settings
from tests.conftest import ROOT


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, manage_orm=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def console() -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(Settings(environment="development")):
        yield http


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/", "text/html; charset=utf-8"),
        ("/console/js/app.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/operations/Viewer.graphql", "application/graphql; charset=utf-8"),
        ("/console/favicon.svg", "image/svg+xml"),
    ],
)
async def test_files_have_their_content_type_and_the_security_headers(
    console: httpx.AsyncClient, path: str, content_type: str
) -> None:
    response = await console.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
    ):
        assert directive in csp
    assert "unsafe" not in csp


async def test_console_pages_fall_back_to_index_html_and_missing_assets_are_404(
    console: httpx.AsyncClient,
) -> None:
    index = (STATIC / "index.html").read_text()
    page = await console.get("/console/projects/6b071702d126bc09b78d7904/clusters/flex-london")
    assert page.status_code == 200
    assert page.text == index
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "content-security-policy" in page.headers

    for missing in ("/console/js/missing.js", "/console/operations/Nope.graphql"):
        assert (await console.get(missing)).status_code == 404
    assert (await console.get("/console/%2e%2e/routes.py")).status_code == 404
    assert (await console.get("/console/../settings.py")).status_code == 404
    redirect = await console.get("/console")
    assert redirect.status_code in {307, 308}
    assert redirect.headers["location"].endswith("/console/")


async def test_revalidation_answers_304(console: httpx.AsyncClient) -> None:
    first = await console.get("/console/js/api.js")
    again = await console.get(
        "/console/js/api.js", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert (await console.head("/console/js/api.js")).status_code == 200


@pytest.mark.parametrize(
    ("environment", "enabled", "served"),
    [
        ("development", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
async def test_console_enabled_setting(
    environment: str, enabled: bool | None, served: bool
) -> None:
    settings = Settings(environment=environment, console_enabled=enabled, signing_key="k")  # type: ignore[arg-type]
    assert settings.console is served
    async for http in _client(settings):
        response = await http.get("/console/")
        assert response.status_code == (200 if served else 404)


def test_package_data_ships_every_console_file() -> None:
    """A non-editable install must carry what the browser loads (pyproject's package-data)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["graphql_api.console"]
    package = STATIC.parent
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    on_disk = {path for path in STATIC.rglob("*") if path.is_file()}
    assert on_disk
    assert on_disk == shipped, sorted(str(p.relative_to(package)) for p in on_disk - shipped)
