"""API key format and hashing.

A key reads ``fbk_<key id>_<secret>``. The id finds the row; only the
SHA-256 of the secret is stored (the secret is 256 random bits, so a slow
password hash buys nothing), and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from graphql_api.domain.ids import is_valid_id

PREFIX = "fbk"


@dataclass(frozen=True, slots=True)
class ParsedKey:
    key_id: str
    secret: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def format_key(key_id: str, secret: str) -> str:
    return f"{PREFIX}_{key_id}_{secret}"


def parse_key(raw: str) -> ParsedKey | None:
    prefix, _, rest = raw.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not is_valid_id(key_id) or len(secret) < 16:
        return None
    return ParsedKey(key_id, secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
