"""Snapshot bytes, one store per storage location."""

from __future__ import annotations

from pathlib import Path

from graphql_api.domain.locations import StorageLocation
from graphql_api.settings import Settings
from graphql_api.storage.base import ObjectNotFoundError, SnapshotStore, StoredObject
from graphql_api.storage.local import LocalStore

Stores = dict[StorageLocation, SnapshotStore]


def build_stores(settings: Settings) -> Stores:
    """Each location's store: its URL setting, else a folder under SNAPSHOT_ROOT."""
    stores: Stores = {}
    for location in StorageLocation:
        url = getattr(settings, f"storage_url_{location.value.lower()}")
        stores[location] = store_for_url(url, settings, settings.snapshot_root / location.value)
    return stores


def store_for_url(url: str | None, settings: Settings, default_root: Path) -> SnapshotStore:
    if not url:
        return LocalStore(default_root)
    if url.startswith("file://"):
        return LocalStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from graphql_api.storage.s3 import S3Store

        return S3Store.from_url(
            url,
            endpoint=settings.s3_endpoint_url,
            region=settings.s3_region,
            allow_http=settings.s3_allow_http,
        )
    raise ValueError(f"unsupported storage URL {url!r}: use s3://bucket[/prefix] or file:///path")


__all__ = ["ObjectNotFoundError", "SnapshotStore", "StoredObject", "Stores", "build_stores"]
