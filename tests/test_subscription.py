"""Live restore progress over a real WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import uvicorn
import websockets

from graphql_api.app import create_app
from graphql_api.domain.roles import ProjectRole
from graphql_api.models import Snapshot
from tests.conftest import NOW, World
from tests.test_restores import CREATED, RESTORE, _restore_input, engine

SUBSCRIBE = "subscription($id: ID!) { restoreJobProgress(jobId: $id) { status progressPercent } }"


@pytest.fixture
async def server() -> AsyncIterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(manage_orm=False, clock=lambda: NOW)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:  # noqa: ASYNC110  (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.01)
    yield f"127.0.0.1:{port}"
    srv.should_exit = True
    await task


async def _receive(ws: websockets.ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def test_restore_progress_streams_until_done(server: str, world: World) -> None:
    project = await world.project()
    source = await world.cluster(project, "source", created_at=CREATED)
    await world.cluster(project, "target")
    await engine().tick(CREATED + timedelta(days=1))
    snapshot = await Snapshot.get(cluster_id=source.id)
    owner = await world.actor(project=project, role=ProjectRole.PROJECT_OWNER)
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"http://{server}/graphql",
            json={"query": RESTORE, "variables": _restore_input(snapshot, project, "target")},
            headers=owner.headers,
        )
    job_id = response.json()["data"]["restoreSnapshot"]["job"]["id"]

    async with websockets.connect(
        f"ws://{server}/graphql", subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": owner.headers}))
        assert (await _receive(ws))["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"id": job_id}},
                }
            )
        )
        first = await _receive(ws)
        assert first["payload"]["data"]["restoreJobProgress"] == {
            "status": "QUEUED",
            "progressPercent": 0,
        }
        await engine().tick(CREATED + timedelta(days=1, hours=1))  # runs the restore
        seen = []
        while (message := await _receive(ws))["type"] == "next":
            seen.append(message["payload"]["data"]["restoreJobProgress"])
        assert message == {"id": "1", "type": "complete"}
        assert seen[-1] == {"status": "COMPLETED", "progressPercent": 100}


async def test_websocket_without_a_key_is_rejected(server: str) -> None:
    async with websockets.connect(
        f"ws://{server}/graphql", subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
