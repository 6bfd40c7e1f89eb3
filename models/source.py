from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.models import Model

if TYPE_CHECKING:
    from models.account import Account


class Source(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sources", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # NFKC-casefolded name; the unique index enforces "unique ignoring case" under races
    name_key = fields.CharField(max_length=400)
    created_at = fields.DatetimeField(default=timezone.now)

    account_id: str

    class Meta:
        table = "source"
        unique_together = (("account", "name_key"),)
