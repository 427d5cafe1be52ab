"""Object ids shaped like Atlas ids: 24 lowercase hex characters.

Like a MongoDB ObjectId, the first four bytes are the creation second, so ids
sort roughly by age; the rest is random.
"""

from __future__ import annotations

import re
import secrets
import time

_ID_RE = re.compile(r"[0-9a-f]{24}")


def new_id(now: float | None = None) -> str:
    seconds = int(time.time() if now is None else now) & 0xFFFFFFFF
    return f"{seconds:08x}{secrets.token_hex(8)}"


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.fullmatch(value))
