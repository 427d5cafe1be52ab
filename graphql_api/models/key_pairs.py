"""API key pairs for HTTP Digest (what Atlas clients use), and the nonce uses
that make a digest response single-use."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from graphql_api.models.accounts import Organization, User
from graphql_api.models.base import id_field


class ApiKeyPair(Model):
    """The private key is not kept: only HA1 = H(public:realm:private) per
    digest algorithm, which is what verifying a digest response needs."""

    id = id_field()
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_key_pairs", on_delete=fields.CASCADE
    )
    user_id: str
    public_key = fields.CharField(max_length=16, unique=True)
    description = fields.CharField(max_length=128, default="")
    ha1_md5 = fields.CharField(max_length=32)
    ha1_sha256 = fields.CharField(max_length=64)
    # As ApiKey.organization: the one organization a pair made for a member acts in.
    organization: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "models.Organization",
        related_name="bound_api_key_pairs",
        null=True,
        on_delete=fields.CASCADE,
    )
    organization_id: str | None
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key_pairs"


class DigestNonceUse(Model):
    """One row per (nonce, nc) accepted: a second use is a replay. Rows are
    dropped once their nonce has expired."""

    id = fields.BigIntField(primary_key=True)
    nonce = fields.CharField(max_length=64)
    nc = fields.CharField(max_length=8)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "digest_nonce_uses"
        unique_together = (("nonce", "nc"),)
