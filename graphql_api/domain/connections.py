"""A replica set's seed list as a cluster registers it: what may be stored.

A connection string is kept without credentials (they are stored apart,
encrypted), names its replica set, and uses the ``mongodb://`` scheme, whose
hosts are in the string itself (``mongodb+srv://`` would need DNS to know).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pymongo import uri_parser
from pymongo.errors import ConfigurationError, InvalidURI

MAX_CONNECTION_STRING_LENGTH = 4096
MAX_CREDENTIAL_LENGTH = 1024
# Options that would make the server read its own files: the operator's to set, not a tenant's.
_SERVER_FILE_OPTIONS = {
    "tlscafile",
    "tlscertificatekeyfile",
    "tlscrlfile",
    "tlscertificatekeyfilepassword",
}


class ConnectionRefusal(enum.StrEnum):
    INVALID_CONNECTION_STRING = "INVALID_CONNECTION_STRING"
    CREDENTIALS_IN_CONNECTION_STRING = "CREDENTIALS_IN_CONNECTION_STRING"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


class ConnectionStringError(ValueError):
    def __init__(self, code: ConnectionRefusal, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SeedList:
    hosts: tuple[str, ...]  # host:port
    replica_set: str


def parse_seed_list(uri: str) -> SeedList:
    """The hosts and replica set of a ``mongodb://`` string; raises
    ConnectionStringError. Messages never quote the string (it may hold secrets)."""
    bad = ConnectionRefusal.INVALID_CONNECTION_STRING
    if len(uri) > MAX_CONNECTION_STRING_LENGTH or "\x00" in uri:
        raise ConnectionStringError(bad, "The connection string is too long or has NUL bytes.")
    if not uri.startswith("mongodb://"):
        raise ConnectionStringError(
            bad, "The connection string must start with mongodb:// (list the hosts; no +srv)."
        )
    authority = uri.removeprefix("mongodb://").partition("/")[0].partition("?")[0]
    if "@" in authority:
        raise ConnectionStringError(
            ConnectionRefusal.CREDENTIALS_IN_CONNECTION_STRING,
            "The connection string must not contain credentials: pass username and password "
            "separately (they are stored encrypted).",
        )
    try:
        parsed = uri_parser.parse_uri(uri, validate=True, warn=False)
    except (InvalidURI, ConfigurationError, ValueError) as exc:
        raise ConnectionStringError(
            bad, f"The connection string is not a valid MongoDB URI: {str(exc)[:200]}"
        ) from None
    if parsed.get("username") or parsed.get("password"):
        raise ConnectionStringError(
            ConnectionRefusal.CREDENTIALS_IN_CONNECTION_STRING,
            "The connection string must not contain credentials.",
        )
    options = parsed.get("options") or {}
    if options.get("directConnection"):
        raise ConnectionStringError(bad, "directConnection does not go with a replica set.")
    if any(k.lower() in _SERVER_FILE_OPTIONS for k in options):
        raise ConnectionStringError(
            bad,
            "The connection string may not name files on the server (tlsCAFile and the "
            "like): the operator sets MONGODB_TLS_CA_FILE.",
        )
    replica_set = options.get("replicaSet")
    if not replica_set:
        raise ConnectionStringError(
            bad, "The connection string must name the replica set (?replicaSet=<name>)."
        )
    hosts = tuple(f"{host}:{port}" for host, port in parsed["nodelist"])
    if not hosts:
        raise ConnectionStringError(bad, "The connection string lists no host.")
    return SeedList(hosts=hosts, replica_set=str(replica_set))


def credentials_problem(username: str, password: str) -> str | None:
    for what, value in (("username", username), ("password", password)):
        if not 0 < len(value) <= MAX_CREDENTIAL_LENGTH or "\x00" in value:
            return f"The {what} is 1 to {MAX_CREDENTIAL_LENGTH} characters, none of them NUL."
    return None
