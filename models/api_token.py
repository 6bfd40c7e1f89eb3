from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class ApiToken(Model):
    """A bearer token. Only its SHA-256 digest is stored, the token itself is shown once."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(default=timezone.now)
    # refreshed at most once a minute (resolvers/auth.py), so authentication stays one read
    last_used_at = fields.DatetimeField(null=True)

    user_id: str

    class Meta:
        table = "api_token"
