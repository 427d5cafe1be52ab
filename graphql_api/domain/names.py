"""Names and emails: what a stored one can look like.

A lookup by a value that no stored row can hold (too long for its column, or
with a NUL byte, which PostgreSQL refuses) is answered "not found" at once,
without asking the database.
"""

from __future__ import annotations

MAX_NAME_LENGTH = 64  # organizations, projects, clusters
MAX_USER_NAME_LENGTH = 128
MAX_EMAIL_LENGTH = 254  # RFC 5321


def could_be_stored(value: str, max_length: int = MAX_NAME_LENGTH) -> bool:
    return 0 < len(value) <= max_length and "\x00" not in value


def normalize_email(value: str) -> str:
    return value.strip().lower()
