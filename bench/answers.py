"""Every row must return the rows ours returns before it is timed: a fast
wrong answer is no peer. Fails loudly, naming the first difference.

Rows that speak our schema (the baseline, the raw app, ours with more
workers) must answer exactly our ``data``. PostGraphile names things its
own way and only stores what the tables hold, so both answers are first
reduced to the stored values they share: the same ids in the same order,
the same field values, dates compared as instants, sizes as integers.
What our server computes instead of storing (backup policy, location
names, cursors) has no PostGraphile counterpart and is not compared there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class WrongAnswer(RuntimeError):
    """A row answered differently from ours: its timings would mean nothing."""


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)  # PostGraphile sends BigInt as a string


def stored_backup_tab(data: dict[str, Any], *, peer: bool) -> dict[str, Any]:
    """(a) reduced to stored values; ``peer`` reads PostGraphile's names."""
    c = data["cluster"]
    if c is None:
        return {"cluster": None}
    snapshots = c["snapshots"]
    return {
        "id": c["id"], "name": c["name"], "tier": c["tier"],
        "state": c["state" if peer else "stateName"],
        "mongodb_version": c["mongodbVersion" if peer else "mongoDBVersion"],
        "created_at": _instant(c["createdAt" if peer else "createDate"]),
        "total": snapshots["totalCount"],
        "has_next_page": snapshots["pageInfo"]["hasNextPage"],
        "snapshots": [
            (s["id"], s["status"], _instant(s["scheduledTime"]), _instant(s["startTime"]),
             _instant(s["finishTime"]), _instant(s["expiration"]),
             s["mongodbVersion" if peer else "mongoDBVersion"],
             s["sourceNode" if peer else "sourceNodeHostname"],
             s["storageLocation"] if peer else s["storageLocation"]["id"],
             _int(s["sizeBytes"]), s["sha256"])
            for s in snapshots["nodes"]
        ],
    }  # fmt: skip


def stored_daily(data: dict[str, Any], *, peer: bool) -> dict[str, Any]:
    """(b) reduced to stored values; ``peer`` reads PostGraphile's names."""
    page = data["snapshots"] if peer else data["project"]["snapshots"]
    return {
        "has_next_page": page["pageInfo"]["hasNextPage"],
        "snapshots": [
            (s["id"], s["status"], _instant(s["scheduledTime"]), _instant(s["finishTime"]),
             _instant(s["expiration"]), s["mongodbVersion" if peer else "mongoDBVersion"],
             _int(s["sizeBytes"]), s["storageLocation"] if peer else s["storageLocation"]["id"],
             s["cluster"]["name"])
            for s in page["nodes"]
        ],
    }  # fmt: skip


STORED = {"backup_tab": stored_backup_tab, "daily": stored_daily}


def _seconds(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(microsecond=0)


def rest_snapshots(body: dict[str, Any]) -> dict[str, Any]:
    """The REST list of a cluster's snapshots, reduced to what (a) shares
    with it: the count and each snapshot's stored values (whole seconds,
    as Atlas's timestamps are)."""
    return {
        "total": body["totalCount"],
        "snapshots": [
            (s["id"], s["status"], _instant(s["scheduledTime"]), _instant(s.get("startTime")),
             _instant(s.get("finishTime")), _instant(s.get("expiration")), s["mongoDBVersion"])
            for s in body["results"]
        ],
    }  # fmt: skip


def check_rest(ours: dict[str, Any], theirs: Any, what: str) -> None:
    """The REST list must hold the snapshots of our (a), in its order."""
    if not isinstance(theirs, dict) or "results" not in theirs:
        raise WrongAnswer(f"{what} answered {str(theirs)[:500]}")
    tab = stored_backup_tab(ours, peer=False)
    expected = {
        "total": tab["total"],
        "snapshots": [(*s[:2], *(_seconds(t) for t in s[2:6]), s[6]) for s in tab["snapshots"]],
    }
    require_equal(expected, rest_snapshots(theirs), what)


def _first_difference(ours: Any, theirs: Any, path: str = "") -> str:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key, "<missing>") != theirs.get(key, "<missing>"):
                return _first_difference(ours.get(key, "<missing>"),
                                         theirs.get(key, "<missing>"), f"{path}.{key}")  # fmt: skip
    if isinstance(ours, list | tuple) and isinstance(theirs, list | tuple):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items in ours, {len(theirs)} in theirs"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return f"{path or 'answer'}: ours {str(ours)[:200]!r}, theirs {str(theirs)[:200]!r}"


def require_equal(ours: Any, theirs: Any, what: str) -> None:
    if ours != theirs:
        difference = _first_difference(ours, theirs)
        raise WrongAnswer(f"{what} does not answer what ours does: {difference}")


def require_rows(ours: dict[str, Any], scenario: str, expected: int) -> None:
    """Our own answer must hold the rows the bench seeded, else equal proves nothing."""
    found = len(STORED[scenario](ours, peer=False)["snapshots"])
    if found != expected:
        raise WrongAnswer(f"ours answered {found} snapshots for {scenario}, expected {expected}")


def check(scenario: str, ours: dict[str, Any], theirs: Any, what: str, *, peer: bool) -> None:
    """``theirs`` must match ``ours`` (our ``data``): exactly, or in stored values for a peer."""
    if not isinstance(theirs, dict):
        raise WrongAnswer(f"{what} answered {str(theirs)[:500]}")
    if not peer:
        require_equal(ours, theirs, what)
        return
    reduce = STORED[scenario]
    require_equal(reduce(ours, peer=False), reduce(theirs, peer=True), what)
