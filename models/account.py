from __future__ import annotations

from tortoise import fields, timezone
from tortoise.models import Model


class Account(Model):
    """A tenant. Its source settings live here because every write reads them."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    sources_enabled = fields.BooleanField(default=False)
    inherit_from_company = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(default=timezone.now)

    class Meta:
        table = "account"
