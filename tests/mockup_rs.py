"""A scripted three-member replica set on mockupdb: roles, health, optimes and data are plain
attributes the test changes; every command each member receives is recorded.

mockupdb's own ``auto_ismaster`` advertises a wire version pymongo 4.20 refuses, so the
handshake is answered here (maxWireVersion 21, MongoDB 7.0).
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import Int64, Timestamp
from bson.binary import Binary
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.raw_bson import RawBSONDocument
from mockupdb import MockupDB

START = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
CLUSTER_TIME = Timestamp(1_790_000_000, 1)
# mockupdb logs replies as extended JSON: let it show dates past year 9999 too.
RAW = CodecOptions(RawBSONDocument, datetime_conversion=DatetimeConversion.DATETIME_AUTO)


class FakeReplicaSet:
    def __init__(self, size: int = 3) -> None:
        self.servers = [MockupDB() for _ in range(size)]
        self.hosts = [f"localhost:{s.run()}" for s in self.servers]
        self.roles = {h: "SECONDARY" for h in self.hosts}
        self.roles[self.hosts[0]] = "PRIMARY"
        self.health = dict.fromkeys(self.hosts, 1)
        self.optimes = dict.fromkeys(self.hosts, START)
        self.status_reply: dict[str, Any] | None = None  # replaces the computed one
        # (db, collection) -> raw documents; collection info extras by namespace
        self.data: dict[tuple[str, str], list[bytes]] = {}
        self.indexes: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.options: dict[tuple[str, str], dict[str, Any]] = {}
        self.uuids: dict[tuple[str, str], Binary] = {}
        self.snapshot_error: dict[str, Any] | None = None  # reply to snapshot finds
        self.after_find: Callable[[str, str], None] = lambda host, coll: None
        self.batch_size_cap = 2  # documents per reply, so cursors take several getMores
        self.seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._cursors: dict[int, list[bytes]] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        for server, host in zip(self.servers, self.hosts, strict=True):
            server.autoresponds(self._responder(host))

    @property
    def seed_list(self) -> str:
        return f"mongodb://{','.join(self.hosts)}/?replicaSet=rs0"

    def commands(self, host: str) -> list[str]:
        return [next(iter(doc)) for doc in self.seen[host]]

    def forget(self) -> None:
        self.seen.clear()

    def stop(self) -> None:
        threads = [threading.Thread(target=s.stop) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def lag(self, host: str, ms: int) -> None:
        self.optimes[host] = START - timedelta(milliseconds=ms)

    # --- replies ---

    def _hello(self, host: str) -> dict[str, Any]:
        primary = next((h for h, r in self.roles.items() if r == "PRIMARY"), None)
        reply = {
            "isWritablePrimary": self.roles[host] == "PRIMARY",
            "secondary": self.roles[host] == "SECONDARY",
            "setName": "rs0",
            "setVersion": 1,
            "hosts": self.hosts,
            "me": host,
            "minWireVersion": 0,
            "maxWireVersion": 21,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "logicalSessionTimeoutMinutes": 30,
            "localTime": START,
        }
        return reply | ({"primary": primary} if primary else {})

    def _status(self) -> dict[str, Any]:
        states = {"PRIMARY": 1, "SECONDARY": 2, "DOWN": 8}
        members = [
            {
                "_id": i,
                "name": h,
                "health": self.health[h],
                "state": states[self.roles[h]] if self.health[h] else 8,
                "stateStr": self.roles[h] if self.health[h] else "(not reachable/healthy)",
                "optimeDate": self.optimes[h],
            }
            for i, h in enumerate(self.hosts)
        ]
        return {"set": "rs0", "date": START, "myState": 1, "members": members}

    def _batch(self, cursor_id: int, ns: str, first: bool, size: int) -> dict[str, Any]:
        docs = self._cursors.pop(cursor_id)
        batch, rest = docs[:size], docs[size:]
        next_id = cursor_id if rest else 0
        if rest:
            self._cursors[cursor_id] = rest
        cursor = {"id": Int64(next_id), "ns": ns, "atClusterTime": CLUSTER_TIME}
        cursor["firstBatch" if first else "nextBatch"] = [RawBSONDocument(d, RAW) for d in batch]
        return {"cursor": cursor}

    def _responder(self, host: str) -> Callable[[Any], bool]:
        def respond(request: Any) -> bool:
            doc = dict(request.doc)
            name = next(iter(doc))
            with self._lock:
                self.seen[host].append(doc)
                reply = self._reply(host, name, doc)
            if reply is None:
                return bool(request.command_err(59, f"no such command: {name}"))
            if reply.get("ok") == 0:
                return bool(request.replies(reply))
            return bool(request.ok(reply))

        return respond

    def _reply(self, host: str, name: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        db = doc.get("$db", "admin")
        if name.lower() in ("hello", "ismaster"):
            return self._hello(host)
        if name in ("endSessions", "killCursors", "ping"):
            return {}
        if name == "buildInfo":
            return {"version": "7.0.14", "versionArray": [7, 0, 14, 0]}
        if name == "replSetGetStatus":
            return self.status_reply if self.status_reply is not None else self._status()
        if name == "listDatabases":
            names = sorted({d for d, _ in self.data} | {"admin", "local", "config"})
            return {"databases": [{"name": n} for n in names]}
        if name == "listCollections":
            batch = [
                {
                    "name": c,
                    "type": "collection",
                    "options": self.options.get((d, c), {}),
                    "info": {"readOnly": False}
                    | ({"uuid": self.uuids[d, c]} if (d, c) in self.uuids else {}),
                }
                for d, c in sorted(self.data)
                if d == db
            ]
            return {
                "cursor": {"id": Int64(0), "ns": f"{db}.$cmd.listCollections", "firstBatch": batch}
            }
        if name == "listIndexes":
            batch = self.indexes.get(
                (db, doc["listIndexes"]), [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]
            )
            return {
                "cursor": {"id": Int64(0), "ns": f"{db}.{doc['listIndexes']}", "firstBatch": batch}
            }
        if name == "find":
            coll = doc["find"]
            if doc.get("readConcern", {}).get("level") == "snapshot" and self.snapshot_error:
                return self.snapshot_error
            cursor_id = next(self._ids)
            self._cursors[cursor_id] = list(self.data.get((db, coll), []))
            size = min(int(doc.get("limit") or doc.get("batchSize") or 101), self.batch_size_cap)
            reply = self._batch(cursor_id, f"{db}.{coll}", True, size)
            self.after_find(host, coll)
            return reply
        if name == "getMore":
            size = min(int(doc.get("batchSize") or 101), self.batch_size_cap)
            return self._batch(int(doc["getMore"]), f"{db}.{doc['collection']}", False, size)
        return None
