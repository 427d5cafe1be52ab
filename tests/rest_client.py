"""Helpers for the REST API tests: the headers an Atlas client sends."""

from __future__ import annotations

from typing import Any

import httpx

from graphql_api.rest.media import MEDIA_TYPE
from tests.conftest import Actor

API = "/api/atlas/v2"


def headers(actor: Actor | None, **extra: str) -> dict[str, str]:
    base = {"Accept": MEDIA_TYPE}
    if actor is not None:
        base.update(actor.headers)
    return {**base, **extra}


class Rest:
    """Requests as the Atlas Go SDK sends them (versioned Accept and body)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, actor: Actor | None, **params: Any) -> httpx.Response:
        return await self.http.get(API + path, headers=headers(actor), params=params)

    async def post(self, path: str, actor: Actor | None, body: Any) -> httpx.Response:
        return await self.http.post(
            API + path, headers=headers(actor, **{"Content-Type": MEDIA_TYPE}), json=body
        )

    async def patch(self, path: str, actor: Actor | None, body: Any) -> httpx.Response:
        return await self.http.patch(
            API + path, headers=headers(actor, **{"Content-Type": MEDIA_TYPE}), json=body
        )

    async def delete(self, path: str, actor: Actor | None) -> httpx.Response:
        return await self.http.delete(API + path, headers=headers(actor))
