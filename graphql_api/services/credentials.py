"""Clusters' credentials at rest: one Fernet token per cluster, never in clear.

The key is CREDENTIALS_KEY (in development, a key file under var/). Only
``services.clusters.address_of`` opens a token, to hand the data plane what
it needs to connect; nothing returns or logs what is inside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from graphql_api.settings import get_settings


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str = field(repr=False)


class CredentialsUnreadable(Exception):
    """The stored token does not open with this key (CREDENTIALS_KEY changed?)."""


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key)


def _key() -> str:
    return get_settings().cluster_credentials_key()


def seal(credentials: Credentials, key: str | None = None) -> str:
    payload = json.dumps({"username": credentials.username, "password": credentials.password})
    return _fernet(key or _key()).encrypt(payload.encode()).decode()


def unseal(token: str, key: str | None = None) -> Credentials:
    try:
        payload = json.loads(_fernet(key or _key()).decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable(
            "The cluster's stored credentials cannot be decrypted with CREDENTIALS_KEY."
        ) from None
    return Credentials(username=payload["username"], password=payload["password"])
