"""HTTP Digest access authentication (RFC 7616), the rules without I/O.

What Atlas clients send with an API key pair: the public key as username,
the private key as password. The server keeps only HA1 =
H(username:realm:password) per algorithm, which is all verification needs
(and, for this realm, as good as the password: see README). Nonces are
stateless: a timestamp and random bits signed with the server's key, so any
replica can check one; that a (nonce, nc) pair is used once is the caller's
job (a unique key in the database).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

REALM = "flex-backup"
QOP = "auth"

HASHES: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}

_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*(?:,|$)')


def _h(algorithm: str, text: str) -> str:
    return HASHES[algorithm](text.encode()).hexdigest()


def ha1(algorithm: str, username: str, password: str, realm: str = REALM) -> str:
    return _h(algorithm, f"{username}:{realm}:{password}")


@dataclass(frozen=True, slots=True)
class Credentials:
    """The fields of an ``Authorization: Digest ...`` header."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str
    qop: str
    nc: str
    cnonce: str


def parse_credentials(header: str) -> Credentials | None:
    """The Digest credentials of a header, or None when malformed."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    fields: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None or match.end() == position:
            return None
        value = match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        fields[match.group(1).lower()] = value
        position = match.end()
    try:
        credentials = Credentials(
            username=fields["username"],
            realm=fields["realm"],
            nonce=fields["nonce"],
            uri=fields["uri"],
            response=fields["response"].lower(),
            algorithm=fields.get("algorithm", "MD5"),
            qop=fields.get("qop", ""),
            nc=fields.get("nc", ""),
            cnonce=fields.get("cnonce", ""),
        )
    except KeyError:
        return None
    if credentials.algorithm not in HASHES or credentials.qop != QOP:
        return None  # only qop=auth is offered (it binds nc and cnonce into the response)
    if not re.fullmatch(r"[0-9a-fA-F]{8}", credentials.nc) or not credentials.cnonce:
        return None
    return credentials


def expected_response(stored_ha1: str, credentials: Credentials, method: str) -> str:
    c = credentials
    ha2 = _h(c.algorithm, f"{method}:{c.uri}")
    return _h(c.algorithm, f"{stored_ha1}:{c.nonce}:{c.nc}:{c.cnonce}:{c.qop}:{ha2}")


def response_matches(stored_ha1: str, credentials: Credentials, method: str) -> bool:
    expected = expected_response(stored_ha1, credentials, method)
    return hmac.compare_digest(expected, credentials.response)


class NonceState(Enum):
    FRESH = "fresh"
    STALE = "stale"  # ours, but too old: the client should retry with a new one
    INVALID = "invalid"


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, f"digest-nonce:{body}".encode(), hashlib.sha256).hexdigest()[:32]


def new_nonce(key: bytes, now: float) -> str:
    """Issue time and random bits, signed: 8 + 16 + 32 hex characters."""
    body = f"{int(now) & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"
    return body + _sign(key, body)


def check_nonce(key: bytes, nonce: str, now: float, ttl_seconds: int) -> NonceState:
    if not re.fullmatch(r"[0-9a-f]{56}", nonce):
        return NonceState.INVALID
    body, mac = nonce[:24], nonce[24:]
    if not hmac.compare_digest(_sign(key, body), mac):
        return NonceState.INVALID
    issued = int(body[:8], 16)
    if not 0 <= int(now) - issued <= ttl_seconds:
        return NonceState.STALE
    return NonceState.FRESH


def challenge(nonce: str, algorithm: str, *, stale: bool = False) -> str:
    """A WWW-Authenticate challenge, written as strict clients parse it
    (fields separated by ", ", only realm, nonce, qop, algorithm, stale)."""
    parts = [f'realm="{REALM}"', f'nonce="{nonce}"', f'qop="{QOP}"', f"algorithm={algorithm}"]
    if stale:
        parts.append("stale=true")
    return "Digest " + ", ".join(parts)
