"""How errors reach clients: coded errors pass, anything unexpected is masked.

Refusals the client caused carry ``extensions.code``; graphql-core copies an
exception's ``extensions`` onto the GraphQL error. Anything else is a bug:
its message is replaced by a stable one with an error id, and the stack is
logged under that id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from graphql.error import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.extensions import MaskErrors

from graphql_api.services.errors import ServiceError

log = logging.getLogger(__name__)


class CodedError(Exception):
    """A GraphQL-level refusal (authentication, permission) with a stable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": code}


class UnauthenticatedError(CodedError):
    def __init__(self, message: str = "A valid API key is required.") -> None:
        super().__init__(message, "UNAUTHENTICATED")


def request_error_code(error: GraphQLError) -> str | None:
    """The code of an error raised before any field ran (nothing was executed):
    the codes GraphQL clients already know (Apollo's). None for field errors."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is not None:
        return None
    if error.message.startswith("Variable '$"):  # graphql-core's variable coercion
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED" if error.original_error is None else None


def is_client_error(error: GraphQLError) -> bool:
    """Request errors, coded refusals and permission-class denials."""
    original = error.original_error
    return (
        original is None
        or request_error_code(error) is not None
        or isinstance(original, CodedError | ServiceError | StrawberryGraphQLError)
    )


def with_request_codes(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The errors, each request error given its code (the rest already have one)."""
    coded = []
    for error in errors:
        code = None if (error.extensions or {}).get("code") else request_error_code(error)
        if code is not None:
            error = GraphQLError(
                message=error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=error.original_error,
                extensions={**(error.extensions or {}), "code": code},
            )
        coded.append(error)
    return coded


class MaskUnexpectedErrors(MaskErrors):
    """Masks bugs with an error id that is logged together with the stack."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not is_client_error(e))

    def _process_result(self, result: object) -> None:
        """As MaskErrors does, without its isinstance check against a runtime
        Protocol (which walks the Protocol's attributes on every request)."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex
        log.error("unexpected error %s", error_id, exc_info=error.original_error)
        return GraphQLError(
            message=f"Internal server error (error id {error_id}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
        )


class TagUnexpectedErrors(MaskUnexpectedErrors):
    """Development: keep the real message, add the code and the logged error id."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        return GraphQLError(
            message=f"{error.message} ({masked.message.removesuffix('.')})",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=masked.extensions,
        )
