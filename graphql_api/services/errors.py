"""Errors a use case raises for its caller to turn into a response."""

from __future__ import annotations


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
