"""A per-key request budget, shared by GraphQL and REST.

Keyed by the authenticated API key (the authentication middleware runs
first), counted in fixed one-minute windows in this process: N replicas
allow up to N times RATE_LIMIT_PER_MINUTE per key. Requests without a key
(401s, download links, probes) are not counted here.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.rest.errors import ApiError
from graphql_api.rest.operations import PREFIX as REST_PREFIX

WINDOW_SECONDS = 60


def seconds() -> float:
    """The window clock (a module function, so tests can stop it)."""
    return time.monotonic()


class RateLimits:
    def __init__(
        self, app: ASGIApp, *, per_minute: int, clock: Callable[[], float] | None = None
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.clock = clock
        self._window = -1
        self._used: dict[str, int] = {}

    def _spend(self, key: str) -> tuple[int, float]:
        """(requests left after this one, or -1 when over; seconds to the next window)."""
        now = self.clock() if self.clock is not None else seconds()
        window = int(now // WINDOW_SECONDS)
        if window != self._window:  # a new minute: every key's budget is whole again
            self._window, self._used = window, {}
        used = self._used.get(key, 0) + 1
        self._used[key] = used
        return self.per_minute - used, (window + 1) * WINDOW_SECONDS - now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = getattr(scope.get("user"), "principal", None)
        key = getattr(principal, "api_key_id", None)
        if scope["type"] != "http" or self.per_minute <= 0 or key is None:
            await self.app(scope, receive, send)
            return
        left, reset = self._spend(key)
        if left < 0:
            await self._refuse(scope, send, max(1, math.ceil(reset)))
            return
        limits = [
            (b"ratelimit-limit", str(self.per_minute).encode()),
            (b"ratelimit-remaining", str(left).encode()),
        ]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *limits]}
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _refuse(self, scope: Scope, send: Send, retry_after: int) -> None:
        detail = (
            f"This API key made more than {self.per_minute} requests this minute; "
            f"retry after {retry_after} s."
        )
        if scope["path"].startswith(REST_PREFIX):
            body = ApiError(429, "RATE_LIMITED", detail).body()
        else:
            body = {"errors": [{"message": detail, "extensions": {"code": "RATE_LIMITED"}}]}
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                    (b"ratelimit-limit", str(self.per_minute).encode()),
                    (b"ratelimit-remaining", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
