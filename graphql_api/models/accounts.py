"""Organizations, projects, users, their roles and their API keys."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models.base import id_field


class Organization(Model):
    id = id_field()
    name = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organizations"


class Project(Model):
    id = id_field()
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="projects", on_delete=fields.CASCADE
    )
    organization_id: str
    name = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "projects"
        unique_together = (("organization", "name"),)


class User(Model):
    id = id_field()
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class ApiKey(Model):
    """Only a hash of the secret is kept: the key itself is shown once, at creation."""

    id = id_field()
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE
    )
    user_id: str
    description = fields.CharField(max_length=128, default="")
    secret_hash = fields.CharField(max_length=64)
    # Set when an Organization Owner made it for a member: it acts in that
    # organization only. NULL: the holder's own (or the operator's doing).
    organization: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="bound_api_keys", null=True, on_delete=fields.CASCADE
    )
    organization_id: str | None
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class OrgMembership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="org_memberships", on_delete=fields.CASCADE
    )
    user_id: str
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="memberships", on_delete=fields.CASCADE
    )
    organization_id: str
    role = fields.CharEnumField(OrgRole, max_length=32)

    class Meta:
        table = "org_memberships"
        unique_together = (("user", "organization", "role"),)


class ProjectMembership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="project_memberships", on_delete=fields.CASCADE
    )
    user_id: str
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="memberships", on_delete=fields.CASCADE
    )
    project_id: str
    role = fields.CharEnumField(ProjectRole, max_length=32)

    class Meta:
        table = "project_memberships"
        unique_together = (("user", "project", "role"),)
