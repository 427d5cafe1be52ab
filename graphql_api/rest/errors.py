"""ApiError: Atlas's error body, and how service refusals become one.

``error`` is the HTTP status, ``reason`` its phrase, ``errorCode`` stable and
machine-readable, ``detail`` the same sentence GraphQL gives for the same
refusal. Where Atlas has a code for the case, it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from graphql_api.domain.refusals import Refusal
from graphql_api.domain.restores import RestoreRefusal
from graphql_api.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    description: str


class ApiError(Exception):
    """A refusal, answered as an ApiError body with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        parameters: Sequence[Any] = (),
        fields: Sequence[FieldViolation] = (),
        headers: dict[str, str] | None = None,
        challenges: Sequence[str] = (),
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.parameters = list(parameters)
        self.fields = list(fields)
        self.headers = headers or {}
        self.challenges = list(challenges)  # WWW-Authenticate, one header line each

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.status,
            "errorCode": self.code,
            "detail": self.detail,
            "reason": HTTPStatus(self.status).phrase,
            "parameters": self.parameters,
        }
        if self.fields:
            body["badRequestDetail"] = {
                "fields": [{"field": f.field, "description": f.description} for f in self.fields]
            }
        return body


def validation_error(field: str, description: str, code: str = "VALIDATION_ERROR") -> ApiError:
    return ApiError(
        400, code, description, parameters=[field], fields=[FieldViolation(field, description)]
    )


# Service errors by class: (status, errorCode). A code the service names
# itself (INVALID_ID, UNKNOWN_REGION...) is kept, under VALIDATION_ERROR's status.
_BY_CLASS: list[tuple[type[ServiceError], int, str]] = [
    (NotFoundError, 404, "RESOURCE_NOT_FOUND"),
    (ForbiddenError, 403, "USER_UNAUTHORIZED"),
    (ConflictError, 409, "CONFLICT"),
    (InvalidInputError, 400, "VALIDATION_ERROR"),
]

# Business refusals: HTTP status and errorCode (ours, stable; Atlas's where it has one).
REFUSALS: dict[str, tuple[int, str]] = {
    RestoreRefusal.SNAPSHOT_NOT_COMPLETED: (409, "SNAPSHOT_NOT_COMPLETED"),
    RestoreRefusal.TARGET_NOT_FOUND: (404, "CLUSTER_NOT_FOUND"),
    RestoreRefusal.TARGET_NOT_REPLICA_SET: (400, "TARGET_NOT_REPLICA_SET"),
    RestoreRefusal.INCOMPATIBLE_VERSION: (400, "INCOMPATIBLE_VERSION"),
    RestoreRefusal.CONFIRMATION_MISMATCH: (400, "CONFIRMATION_MISMATCH"),
    RestoreRefusal.RESTORE_IN_PROGRESS: (409, "RESTORE_IN_PROGRESS"),
    # The cluster lifecycle's (services/cluster_lifecycle.py). Atlas answers a
    # taken name 400; its other refusals keep the service's code and class status.
    "NOT_FLEX_CLUSTER": (400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API"),
    "DUPLICATE_CLUSTER_NAME": (400, "DUPLICATE_CLUSTER_NAME"),
}


def from_service_error(error: ServiceError) -> ApiError:
    """The ApiError of a service refusal, with the service's own message."""
    if error.code in REFUSALS:
        status, code = REFUSALS[error.code]
        return ApiError(status, code, error.message)
    for kind, status, code in _BY_CLASS:
        if isinstance(error, kind):
            specific = error.code if error.code != kind.code else code
            if kind is InvalidInputError and error.code == "INVALID_ID":
                specific = "VALIDATION_ERROR"
            return ApiError(status, specific, error.message)
    return ApiError(400, error.code, error.message)


def from_refusals(refusals: Sequence[Refusal], field_names: dict[str, str]) -> ApiError:
    """Every rule a request breaks, in one ApiError: status and code of the
    first, the detail joins all messages (as the audit trail does), and each
    names its field in the REST body's terms."""
    status, code = REFUSALS.get(refusals[0].code.value, (400, refusals[0].code.value))
    fields = [
        FieldViolation(field_names.get(r.field or "", r.field or ""), r.message) for r in refusals
    ]
    return ApiError(
        status,
        code,
        " ".join(r.message for r in refusals),
        parameters=[r.code.value for r in refusals],
        fields=fields,
    )
