from __future__ import annotations

import strawberry

from graphql_api.schema.accounts.types import Viewer
from graphql_api.schema.context import Info


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The caller.")
    def viewer(self, info: Info) -> Viewer:
        user = info.context.principal.user
        return Viewer(id=strawberry.ID(user.id), email=user.email, name=user.name)
