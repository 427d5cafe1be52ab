from __future__ import annotations

from tortoise import fields

from graphql_api.domain.ids import new_id


def id_field() -> fields.CharField:
    """A 24-hex primary key, generated in Python like an Atlas id."""
    return fields.CharField(max_length=24, primary_key=True, default=new_id)
