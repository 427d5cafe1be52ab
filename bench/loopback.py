"""The loopback ceiling: the same file sent by the kernel (``sendfile``) with
no Python in the data path, to the same curl. `cat > /dev/null` only reads
the page cache (writing to /dev/null is free), so it is the disk's limit;
this is the limit of one TCP stream over loopback into curl."""

from __future__ import annotations

import socket
import threading
from pathlib import Path


def _serve_once(listener: socket.socket, path: Path) -> None:
    conn, _ = listener.accept()
    with conn, path.open("rb") as f:
        conn.recv(65536)  # the request; its content does not matter
        size = path.stat().st_size
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode())
        conn.sendfile(f)


def sendfile_url(path: Path) -> tuple[str, threading.Thread]:
    """A URL that serves ``path`` once; join the thread after fetching it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def run() -> None:
        with listener:
            _serve_once(listener, path)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}/", thread
