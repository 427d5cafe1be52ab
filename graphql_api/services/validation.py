"""Checks of what a caller sends, before anything is looked up."""

from __future__ import annotations

from graphql_api.domain.ids import is_valid_id
from graphql_api.services.errors import InvalidInputError


def require_id(value: str, what: str) -> str:
    """The id, or INVALID_ID: ids are 24 lowercase hexadecimal characters."""
    if not is_valid_id(value):
        raise InvalidInputError(
            f"{what} {value!r} is not a valid id: expected 24 hexadecimal characters.",
            code="INVALID_ID",
        )
    return value
