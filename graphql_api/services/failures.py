"""Why work failed, told two ways: a sentence for clients, the details for the log.

Exception text can carry paths, hostnames and driver internals; clients get
a sentence and an error id, and the log gets the stack under that id. A
FleetError's message is written for clients already and passes as it is.
"""

from __future__ import annotations

import logging
import uuid

from graphql_api.fleet.base import FleetError


def failure_reason(what: str, exc: BaseException, log: logging.Logger, **context: object) -> str:
    """``what`` failed: a sentence for clients; the exception is logged under its id."""
    if isinstance(exc, FleetError):
        log.warning("%s failed: %s %s", what, exc, context)
        return f"{what} failed: {exc}"
    error_id = uuid.uuid4().hex
    log.error("%s failed (error id %s) %s", what, error_id, context, exc_info=exc)
    return f"{what} failed unexpectedly (error id {error_id}; the details are in the server log)."
