"""Reading the audit trail: every audited request, allowed or refused.

Events are written by services/authorization.py alone.
"""

from __future__ import annotations

from graphql_api.domain.roles import Action
from graphql_api.models import AuditEvent, Project
from graphql_api.services import authorization
from graphql_api.services.authentication import Principal
from graphql_api.services.errors import ForbiddenError
from graphql_api.services.paging import Listing, Order

NEWEST_FIRST = Order(("-created_at", "-id"))


def events_of_projects(principal: Principal, project: Project) -> Listing[AuditEvent]:
    """The project's audit trail, newest first, for its Project Owners."""
    reason = authorization.refusal(principal, Action.READ_AUDIT_TRAIL, project)
    if reason is not None:
        raise ForbiddenError(reason)
    return Listing(AuditEvent, NEWEST_FIRST, parents=("project_id",))
