"""nx-27017 (a MongoDB wire-protocol server over SQLite) in a child process on loopback.

``python -m tests.nx_server`` binds 127.0.0.1 on a free port, prints it, and serves in-memory
databases until its standard input closes, so it never outlives the process that started it.
With ``--secondary`` its handshake says it is a secondary of replica set "rs0" (nx-27017 alone
always claims to be a writable primary), so a dump's role check passes as on a real member.
The tests and ``bench/dump.py`` use ``NxServer``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import threading
from types import TracebackType
from typing import Any


def _as_secondary(handler: Any, me: str) -> None:
    """Answer hello/isMaster as a secondary of "rs0"; every other command as nx does."""
    answer = handler.handle_command

    def handle_command(msg: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request_id, reply = answer(msg)
        if "isWritablePrimary" in reply and "maxWireVersion" in reply:
            reply |= {"isWritablePrimary": False, "ismaster": False, "secondary": True}
            reply |= {"setName": "rs0", "hosts": [me], "me": me}
        return request_id, reply

    handler.handle_command = handle_command


async def _serve(secondary: bool) -> None:
    from nx_27017.handler import NeoSQLiteHandler
    from nx_27017.server import handle_client

    handler = NeoSQLiteHandler(data_dir="memory")  # one in-memory SQLite per database
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    if secondary:
        _as_secondary(handler, f"127.0.0.1:{sock.getsockname()[1]}")
    server = await asyncio.start_server(
        lambda r, w: handle_client(r, w, handler), sock=sock, limit=64 * 1024 * 1024
    )
    print(sock.getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stdin_closed.set_result, None)),
        daemon=True,
    ).start()
    async with server:
        await stdin_closed


class NxServer:
    """Starts the child on enter, stops it on exit; ``uri`` reaches it directly."""

    def __init__(self, *, secondary: bool = False) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.secondary = secondary

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def __enter__(self) -> NxServer:
        self.proc = subprocess.Popen(  # noqa: S603  (this interpreter, a fixed module)
            [sys.executable, "-m", "tests.nx_server", *(["--secondary"] if self.secondary else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # nx logs every cancelled connection at shutdown
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.__exit__(None, None, None)
            raise RuntimeError("nx-27017 did not start")
        self.port = int(line)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_serve("--secondary" in sys.argv))
