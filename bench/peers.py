"""The rows of the API table: ours and what a user would pick instead, each
knowing how to start its server and how to ask it each scenario.

- ours: /graphql (uvicorn, 1 and 2 workers)
- ours over REST: the Atlas "list snapshots" call beside the Backup tab (1 worker)
- PostGraphile 4.14: one Node process, no auth (optional: needs Node.js)
- raw: asyncpg + the same key check, one uvicorn worker: the practical limit
- baseline: plain Starlette on our ORM and services (the earlier bench's row)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from bench import peer_postgraphile
from bench.answers import WrongAnswer
from bench.queries import Scenario
from bench.server import Server, serve, server_env
from graphql_api.rest.media import MEDIA_TYPE as REST_MEDIA_TYPE

GRAPHQL_APP = "graphql_api.app:create_app"
BASELINE_APP = "bench.baseline_app:create_app"
RAW_APP = "bench.raw_app:create_app"
REST_ROW = "ours-rest"


@dataclass(frozen=True)
class HttpRequest:
    """One request, exactly as wrk will repeat it."""

    url: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def fetch(self) -> Any:
        data = self.body.encode() if self.method == "POST" else None
        request = urllib.request.Request(  # noqa: S310
            self.url, data=data, headers=self.headers, method=self.method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500]
            raise WrongAnswer(f"{self.url} answered HTTP {exc.code}: {detail!r}") from None


def _graphql_data(answer: Any) -> Any:
    """A GraphQL answer's data; any error makes the whole answer wrong."""
    if not isinstance(answer, dict) or answer.get("errors") or not answer.get("data"):
        raise WrongAnswer(f"GraphQL answered {str(answer)[:500]}")
    return answer["data"]


def _as_is(answer: Any) -> Any:
    return answer


@dataclass(frozen=True)
class Row:
    name: str  # unique: "ours-1", "postgraphile", ...
    label: str  # as the report prints it
    workers: int  # server processes
    reduced: bool  # compared on stored values only (another schema)
    start: Callable[[], AbstractContextManager[Server]]
    request: Callable[[str, Scenario], HttpRequest | None]  # None: no such scenario
    unwrap: Callable[[Any], Any] = _as_is
    rest: bool = False  # ours over the Atlas REST API: checked against our GraphQL (a)


def rows(
    database_url: str, api_key: str, workers: tuple[int, ...], with_postgraphile: bool
) -> list[Row]:
    """In the order they alternate: ours, ours over REST, PostGraphile, raw,
    baseline, then ours and the baseline with more workers."""
    env = server_env(database_url)
    auth = {"Authorization": f"Bearer {api_key}"}
    post = {**auth, "Content-Type": "application/json"}

    def graphql(base: str, s: Scenario) -> HttpRequest:
        return HttpRequest(f"{base}/graphql", "POST", json.dumps(s.graphql_body()), post)

    def plain(base: str, s: Scenario) -> HttpRequest:
        return HttpRequest(f"{base}{s.baseline_path}", headers=auth)

    def rest(base: str, s: Scenario) -> HttpRequest | None:
        if s.rest_path is None:
            return None
        return HttpRequest(f"{base}{s.rest_path}", headers={**auth, "Accept": REST_MEDIA_TYPE})

    def raw(base: str, s: Scenario) -> HttpRequest | None:
        return plain(base, s) if s.key in ("backup_tab", "daily") else None

    def postgraphile(base: str, s: Scenario) -> HttpRequest | None:
        body = peer_postgraphile.graphql_body(s.key, s.variables)
        if body is None:
            return None
        return HttpRequest(f"{base}/graphql", "POST", json.dumps(body),
                           {"Content-Type": "application/json"})  # fmt: skip

    def ours(n: int) -> Row:
        return Row(f"ours-{n}", "ours (GraphQL)", n, False,
                   lambda: serve(GRAPHQL_APP, env, workers=n), graphql, _graphql_data)  # fmt: skip

    def baseline(n: int) -> Row:
        return Row(f"baseline-{n}", "baseline (Starlette + our ORM)", n, False,
                   lambda: serve(BASELINE_APP, env, workers=n), plain)  # fmt: skip

    first, more = workers[0], workers[1:]
    found = [ours(first)]
    found.append(Row(REST_ROW, "ours (REST list snapshots)", 1, False,
                     lambda: serve(GRAPHQL_APP, env, workers=1), rest, rest=True))  # fmt: skip
    if with_postgraphile:
        found.append(Row("postgraphile", "PostGraphile", 1, True,
                         lambda: peer_postgraphile.serve_postgraphile(database_url),
                         postgraphile, _graphql_data))  # fmt: skip
    found.append(Row("raw", "raw asyncpg + key check", 1, False,
                     lambda: serve(RAW_APP, env, workers=1), raw))  # fmt: skip
    found.append(baseline(first))
    for n in more:
        found += [ours(n), baseline(n)]
    return found
