"""How the real data plane reaches a replica set: client options, and errors as safe sentences.

Credentials travel as client keyword arguments, never inside a URI, so no connection string
this module builds or logs can carry a password. Driver errors are logged in full (logger
``graphql_api.fleet``) and turned into sentences fit for clients: no hosts' credentials, no
file paths, no driver traces.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient, uri_parser
from pymongo.errors import (
    ConfigurationError,
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from graphql_api.fleet.base import ClusterAddress, FleetError
from graphql_api.settings import Settings

log = logging.getLogger("graphql_api.fleet")

RAW = CodecOptions(document_class=RawBSONDocument)
# Options of the seed list that make no sense for a direct connection to one member.
_TOPOLOGY_OPTIONS = {"replicaset", "directconnection", "readpreference", "readpreferencetags"}
_AUTH_FAILED = {13, 18}  # Unauthorized, AuthenticationFailed


@dataclass(frozen=True, slots=True)
class MongoOptions:
    """The MONGODB_* settings the adapter needs (README, "Configuration")."""

    connect_timeout: float = 5.0
    server_selection_timeout: float = 10.0
    socket_timeout: float = 120.0
    status_timeout: float = 15.0
    status_concurrency: int = 32
    batch_size: int = 1000
    tls: bool = False
    tls_ca_file: Path | None = None
    tls_allow_invalid_hostnames: bool = False
    snapshot_reads: bool = True
    dump_concurrency_per_cluster: int = 1

    @classmethod
    def from_settings(cls, s: Settings) -> MongoOptions:
        return cls(
            connect_timeout=s.mongodb_connect_timeout_seconds,
            server_selection_timeout=s.mongodb_server_selection_timeout_seconds,
            socket_timeout=s.mongodb_socket_timeout_seconds,
            status_timeout=s.mongodb_status_timeout_seconds,
            status_concurrency=s.mongodb_status_concurrency,
            batch_size=s.mongodb_batch_size,
            tls=s.mongodb_tls,
            tls_ca_file=s.mongodb_tls_ca_file,
            tls_allow_invalid_hostnames=s.mongodb_tls_allow_invalid_hostnames,
            snapshot_reads=s.mongodb_snapshot_reads,
            dump_concurrency_per_cluster=s.mongodb_dump_concurrency_per_cluster,
        )

    def client_kwargs(self, cluster: ClusterAddress) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "connectTimeoutMS": int(self.connect_timeout * 1000),
            "serverSelectionTimeoutMS": int(self.server_selection_timeout * 1000),
            "socketTimeoutMS": int(self.socket_timeout * 1000),
            "appname": "flex-backup",
            "retryWrites": True,
        }
        if self.tls:
            kwargs["tls"] = True
        if self.tls_ca_file is not None:
            kwargs["tlsCAFile"] = str(self.tls_ca_file)
        if self.tls_allow_invalid_hostnames:
            kwargs["tlsAllowInvalidHostnames"] = True
        if cluster.username:
            kwargs["username"] = cluster.username
            kwargs["password"] = cluster.password or ""
        return kwargs


def _seed_list(cluster: ClusterAddress) -> str:
    if not cluster.connection_string:
        raise FleetError(f"Cluster {cluster.name!r} has no connection string for the data plane.")
    return cluster.connection_string


def replica_set_client(
    cluster: ClusterAddress, options: MongoOptions, **extra: Any
) -> AsyncMongoClient[Any]:
    """A client for the whole replica set (nodes(), restores): the seed list as given."""
    return AsyncMongoClient(_seed_list(cluster), **(options.client_kwargs(cluster) | extra))


async def direct_client(
    cluster: ClusterAddress, host: str, options: MongoOptions
) -> AsyncMongoClient[RawBSONDocument]:
    """A client bound to one member only (``directConnection=True``): it never discovers,
    monitors or sends anything to the other members. Documents come back as raw BSON."""
    # parse_uri may resolve mongodb+srv records: keep that off the event loop.
    parsed = await asyncio.to_thread(uri_parser.parse_uri, _seed_list(cluster))
    uri_options: Mapping[str, Any] = parsed.get("options") or {}
    kept = {k: v for k, v in uri_options.items() if k.lower() not in _TOPOLOGY_OPTIONS}
    if parsed.get("database") and "authSource" not in kept and "authsource" not in kept:
        kept["authSource"] = parsed["database"]
    kwargs = kept | options.client_kwargs(cluster) | {"directConnection": True}
    return AsyncMongoClient(host=f"mongodb://{host}/", document_class=RawBSONDocument, **kwargs)


def safe_message(exc: BaseException, doing: str) -> str:
    """A sentence about a failure while ``doing`` something, fit for clients."""
    if isinstance(exc, FleetError):
        return str(exc)
    if isinstance(exc, TimeoutError | ServerSelectionTimeoutError):
        return f"No answer in time while {doing}."
    if isinstance(exc, ConnectionFailure):
        return f"The connection was lost while {doing}."
    if isinstance(exc, OperationFailure):
        if exc.code in _AUTH_FAILED:
            return f"The cluster refused the service's credentials while {doing}."
        name = (exc.details or {}).get("codeName") if isinstance(exc.details, dict) else None
        label = f"{name} ({exc.code})" if name else f"code {exc.code}"
        return f"The cluster answered with an error, {label}, while {doing}."
    if isinstance(exc, ConfigurationError):
        return f"The cluster's connection settings are not valid ({doing})."
    if isinstance(exc, PyMongoError):
        return f"The MongoDB driver failed while {doing}."
    return f"An unexpected error happened while {doing}."


def fleet_error(exc: BaseException, cluster: ClusterAddress, doing: str) -> FleetError:
    """Log ``exc`` with its trace and return the FleetError clients may see."""
    if isinstance(exc, FleetError):
        return exc
    log.warning("cluster %s (%s): failed while %s", cluster.id, cluster.name, doing, exc_info=exc)
    return FleetError(safe_message(exc, doing))
