"""The web console's route: its static files under /console, when enabled.

The console is plain HTML, CSS and ES modules in ``static/`` (no build step);
every GraphQL operation it sends is a checked-in file in ``static/operations/``.
Paths without a file extension are the console's own pages (it routes in the
browser with the History API), so they answer ``index.html``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from graphql_api.settings import Settings

STATIC = Path(__file__).parent / "static"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".graphql": "application/graphql; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}

# Only this server's own files and API; no inline script or style, no eval,
# no plugins, no framing; forms never submit natively (the key stays out of URLs).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # File names carry no content hash: revalidate (ETag / Last-Modified) every time.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class ConsoleFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or PurePosixPath(path).suffix:
                raise  # a missing asset stays a 404
            response = await super().get_response("index.html", scope)
        content_type = CONTENT_TYPES.get(PurePosixPath(path).suffix, CONTENT_TYPES[".html"])
        if response.status_code == 200:
            response.headers["Content-Type"] = content_type
        response.headers.update(HEADERS)
        return response


def console_routes(settings: Settings) -> list[BaseRoute]:
    """``[Mount("/console")]`` when the console is enabled (CONSOLE_ENABLED), else ``[]``."""
    if not settings.console:
        return []
    return [Mount("/console", app=ConsoleFiles(directory=STATIC), name="console")]
