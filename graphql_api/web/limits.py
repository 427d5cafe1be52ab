"""Request size and time limits, as ASGI middleware in front of everything."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.rest.errors import ApiError
from graphql_api.rest.operations import PREFIX as REST_PREFIX


def _error(status: int, code: str, message: str, path: str) -> tuple[dict[str, object], bytes]:
    """The refusal in the shape of the API asked: ApiError for REST, else GraphQL's."""
    shape: object = (
        ApiError(status, code, message).body()
        if path.startswith(REST_PREFIX)
        else {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    body = json.dumps(shape).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, body


class BodyTooLarge(Exception):
    pass


class RequestLimits:
    """Refuse bodies over ``max_body_bytes`` (413) and cut off requests that
    take longer than ``timeout_seconds`` (503); streamed downloads are exempt
    from the timeout, since a large archive over a slow link takes as long as
    it takes."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._refuse(scope, send, 413, "BODY_TOO_LARGE", self._too_large())
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        if scope["path"].startswith("/downloads/"):
            await self.app(scope, limited_receive, tracking_send)
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send, 413, "BODY_TOO_LARGE", self._too_large())
        except TimeoutError:
            if not started:
                await self._refuse(
                    scope,
                    send,
                    503,
                    "REQUEST_TIMEOUT",
                    f"The request took longer than {self.timeout_seconds:g} s and was stopped.",
                )

    def _too_large(self) -> str:
        return f"Request bodies are limited to {self.max_body_bytes} bytes."

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        start, body = _error(status, code, message, scope["path"])
        await send(start)
        await send({"type": "http.response.body", "body": body})
