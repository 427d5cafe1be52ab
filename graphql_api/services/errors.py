"""Errors a use case raises for its caller to turn into a response."""

from __future__ import annotations

from graphql_api.domain.refusals import Refusal


class ServiceError(Exception):
    """A refusal the caller caused; ``code`` is stable and machine-readable."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def extensions(self) -> dict[str, str]:
        """Read by graphql-core into the error's ``extensions``; REST can reuse it."""
        return {"code": self.code}


class NotFoundError(ServiceError):
    code = "NOT_FOUND"


class ConflictError(ServiceError):
    code = "CONFLICT"


class InvalidInputError(ServiceError):
    code = "BAD_USER_INPUT"


class ForbiddenError(ServiceError):
    code = "FORBIDDEN"


class Refused(ServiceError):
    """A business rule's refusal: GraphQL answers it as data (``userErrors``)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message, code=refusal.code.value)
        self.refusal = refusal
