"""The account rules alone: who may change what, and that an owner always stays."""

from __future__ import annotations

import pytest

from graphql_api.domain import roles
from graphql_api.domain.accounts import leaves_no_owner
from graphql_api.domain.roles import Action, OrgRole, ProjectRole

OWNER = frozenset({ProjectRole.PROJECT_OWNER})
READER = frozenset({ProjectRole.PROJECT_READ_ONLY})
ORG_OWNER = frozenset({OrgRole.ORG_OWNER})
ORG_MEMBER = frozenset({OrgRole.ORG_MEMBER})
NONE: frozenset = frozenset()


def test_the_last_owner_cannot_go() -> None:
    assert leaves_no_owner(["a"], "a", stays_owner=False)
    assert not leaves_no_owner(["a"], "a", stays_owner=True)
    assert not leaves_no_owner(["a", "b"], "a", stays_owner=False)
    assert not leaves_no_owner(["a"], "b", stays_owner=False)  # not an owner: nothing lost


@pytest.mark.parametrize(
    "action", [Action.CREATE_PROJECT, Action.RENAME_PROJECT, Action.DELETE_PROJECT,
               Action.RENAME_ORGANIZATION, Action.ADD_ORG_MEMBER, Action.CHANGE_ORG_ROLE,
               Action.REMOVE_ORG_MEMBER, Action.CREATE_API_KEY, Action.REVOKE_API_KEY],
)  # fmt: skip
def test_organization_actions_are_for_org_owners(action: Action) -> None:
    assert roles.refusal(action, ORG_OWNER, NONE) is None
    for org_roles, project_roles in ((ORG_MEMBER, OWNER), (NONE, OWNER), (ORG_MEMBER, NONE)):
        assert roles.refusal(action, org_roles, project_roles) is not None


@pytest.mark.parametrize(
    "action", [Action.ADD_PROJECT_MEMBER, Action.CHANGE_PROJECT_ROLE, Action.REMOVE_PROJECT_MEMBER]
)
def test_member_actions_are_for_project_owners(action: Action) -> None:
    assert roles.refusal(action, NONE, OWNER) is None
    assert roles.refusal(action, NONE, READER) == roles.NOT_MANAGING_MEMBERS
    # An Org Owner is told the way in: add themself as Project Owner first.
    assert "addProjectOwner" in (roles.refusal(action, ORG_OWNER, NONE) or "")


def test_anyone_starts_an_organization() -> None:
    assert roles.refusal(Action.CREATE_ORGANIZATION, NONE, NONE) is None


def test_every_action_names_its_permission() -> None:
    assert set(roles.NEEDS) == set(Action)
